//! Element types the kernels read and write. Math always runs in f32 lanes: a load widens the
//! elements of a slice to f32 lanes and a store rounds them back (to nearest, ties to even).

use pulp::Simd;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
}

/// A tensor element type the kernels accept (sealed: implemented by the crate only).
///
/// Implemented for `f32`. Every op is generic over it, so a new element type is a new
/// implementation of this trait and nothing else.
///
/// # Example
/// ```
/// fn activate<T: simd_activations::Element>(x: &mut [T]) {
///     simd_activations::silu_inplace(x);
/// }
/// activate(&mut [1.0_f32, -2.0]);
/// ```
pub trait Element: sealed::Sealed + Copy + Send + Sync + 'static {
    /// The type's name as the report and error messages print it (`"f32"`).
    const NAME: &'static str;

    /// Widens exactly `S::F32_LANES` elements to f32 lanes.
    #[doc(hidden)]
    fn load<S: Simd>(simd: S, src: &[Self]) -> S::f32s;

    /// Widens fewer than `S::F32_LANES` elements; the missing lanes are zero.
    #[doc(hidden)]
    fn load_partial<S: Simd>(simd: S, src: &[Self]) -> S::f32s;

    /// Rounds f32 lanes to exactly `S::F32_LANES` elements.
    #[doc(hidden)]
    fn store<S: Simd>(simd: S, dst: &mut [Self], values: S::f32s);

    /// Rounds the first `dst.len() < S::F32_LANES` lanes; the other lanes are not written.
    #[doc(hidden)]
    fn store_partial<S: Simd>(simd: S, dst: &mut [Self], values: S::f32s);
}

impl Element for f32 {
    const NAME: &'static str = "f32";

    #[inline(always)]
    fn load<S: Simd>(_simd: S, src: &[f32]) -> S::f32s {
        bytemuck::pod_read_unaligned(bytemuck::cast_slice(src))
    }

    #[inline(always)]
    fn load_partial<S: Simd>(simd: S, src: &[f32]) -> S::f32s {
        simd.partial_load_f32s(src)
    }

    #[inline(always)]
    fn store<S: Simd>(_simd: S, dst: &mut [f32], values: S::f32s) {
        bytemuck::cast_slice_mut::<f32, u8>(dst).copy_from_slice(bytemuck::bytes_of(&values));
    }

    #[inline(always)]
    fn store_partial<S: Simd>(simd: S, dst: &mut [f32], values: S::f32s) {
        simd.partial_store_f32s(dst, values);
    }
}
