//! Distances in units in the last place (ULP) of f32, or of any [`Element`] type.

use crate::Element;

/// The size of one f32 ULP at the magnitude of `exact`: `2^(e - 23)` where `2^e <= |exact| <
/// 2^(e+1)`, and `2^-149` (the smallest subnormal) below the normal range, so errors of subnormal
/// results are counted in units of the smallest subnormal.
///
/// # Example
/// ```
/// use simd_activations::ulp::ulp_of;
/// assert_eq!(ulp_of(1.0), f64::from(f32::EPSILON));
/// assert_eq!(ulp_of(1e-40), 2f64.powi(-149));
/// ```
pub fn ulp_of(exact: f64) -> f64 {
    ulp_of_in::<f32>(exact)
}

/// [`ulp_of`] for the element type `T`: `2^(e - T::MANTISSA_BITS)`, at least the spacing of
/// `T`'s subnormals.
///
/// # Example
/// ```
/// use simd_activations::{bf16, f16, ulp::ulp_of_in};
/// assert_eq!(ulp_of_in::<bf16>(1.0), 2f64.powi(-7));
/// assert_eq!(ulp_of_in::<f16>(1e-7), 2f64.powi(-24));
/// ```
pub fn ulp_of_in<T: Element>(exact: f64) -> f64 {
    let a = exact.abs();
    // The binary exponent of |exact| from its f64 bits (exact, unlike log2), clamped to T's
    // normal range (below it the spacing is that of the subnormals).
    let e = ((a.to_bits() >> 52) as i32 - 1023).clamp(T::MIN_NORMAL_EXP, T::MAX_EXP);
    2f64.powi(e - T::MANTISSA_BITS)
}

/// `|got - exact|` in ULP of f32 at `exact` (see [`ulp_of`]).
///
/// Both NaN: 0. One NaN: infinity. Infinite `got`: 0 if `exact` rounds to the same infinity in
/// f32 (it is beyond the overflow threshold), infinity otherwise. Finite `got` with an `exact`
/// beyond f32 range: measured against `f32::MAX` plus one ULP.
///
/// # Example
/// ```
/// use simd_activations::ulp::ulp_distance;
/// assert_eq!(ulp_distance(1.0, 1.0), 0.0);
/// assert_eq!(ulp_distance(1.0 + f32::EPSILON, 1.0), 1.0);
/// assert_eq!(ulp_distance(f32::INFINITY, 1e39), 0.0);
/// ```
pub fn ulp_distance(got: f32, exact: f64) -> f64 {
    ulp_distance_in(got, exact)
}

/// [`ulp_distance`] in ULP of the element type `T`, with `exact` rounded to `T` (by
/// [`Element::from_f64`]) deciding the overflow cases.
///
/// # Example
/// ```
/// use simd_activations::{f16, ulp::ulp_distance_in};
/// assert_eq!(ulp_distance_in(f16::from_f32(1.0), 1.0 + 2f64.powi(-11)), 0.5);
/// assert_eq!(ulp_distance_in(f16::INFINITY, 70000.0), 0.0);
/// ```
pub fn ulp_distance_in<T: Element>(got: T, exact: f64) -> f64 {
    let got = got.to_f32();
    match (got.is_nan(), exact.is_nan()) {
        (true, true) => return 0.0,
        (true, false) | (false, true) => return f64::INFINITY,
        _ => {}
    }
    let rounded = T::from_f64(exact).to_f32();
    if got.is_infinite() || rounded.is_infinite() {
        return if got == rounded { 0.0 } else { f64::INFINITY };
    }
    (f64::from(got) - exact).abs() / ulp_of_in::<T>(exact)
}
