//! Smooth-SwiGLU, SwiGLU with a per-channel scale on the up projection: its public entry
//! points. The scale is a slice, so it does not fit the catalogue's scalar parameters; the body
//! is the SwiGLU body ([`crate::ops::SWIGLU`]) run through [`crate::ops::MapScaled`].

use crate::element::Element;
use crate::kernels::Kernels;
use crate::ops::{GateSlice, MapScaled, SWIGLU, ScaledLayout};

/// Panics naming `name` unless the rows fit: `scale` non-empty, `values` (elements per
/// operand) a multiple of `scale.len()`, and the other sizes as `ok` says.
pub(crate) fn check_scaled(name: &str, values: usize, width: usize, ok: bool, sizes: &str) {
    assert!(
        width > 0 && values.is_multiple_of(width) && ok,
        "simd_activations::{name}: {sizes} with scale of {width} channels; need a non-empty scale and whole rows of scale.len() channels"
    );
}

impl Kernels {
    /// Smooth-SwiGLU: `out = silu(gate) · up · scale[c] = gate · up · scale[c] / (1 + e^-gate)`,
    /// elementwise over rows of `scale.len()` channels (`c` the element's channel: `gate`,
    /// `up` and `out` hold rows `[r * width + c]`), out of place, on this `Kernels`' ISA. The
    /// per-channel scale keeps FP8/low-precision FFNs stable (Fishman et al., "Scaling FP8
    /// training to trillion-token LLMs", 2024).
    ///
    /// Algorithm: `up · scale[c]` rounded once, then the SwiGLU body (lean logistic core,
    /// exact products, one division corrected by the low parts) in the same pass.
    ///
    /// Accuracy: within `catalogue::consts::SMOOTH_SWIGLU_ULP_F32` (4) ULP of f32 of the f64
    /// `reference::swiglu(gate, up) · scale`, `SMOOTH_SWIGLU_ULP_HALF` (1) ULP for bf16/f16.
    ///
    /// # Panics
    /// If `scale` is empty, the three lengths differ, or they are not whole rows of
    /// `scale.len()`; the message names the function and the sizes.
    ///
    /// # Example
    /// ```
    /// let k = simd_activations::Kernels::detect();
    /// let gate = [0.0_f32, 0.0, 20.0, 20.0];
    /// let up = [1.0_f32, 1.0, 1.0, 1.0];
    /// let mut out = [0.0_f32; 4];
    /// k.smooth_swiglu(&gate, &up, &[2.0, 0.5], &mut out);
    /// assert_eq!(&out[..2], &[0.0, 0.0]);
    /// assert!((out[2] - 40.0).abs() < 1e-5 && (out[3] - 10.0).abs() < 1e-5);
    /// ```
    pub fn smooth_swiglu<T: Element>(self, gate: &[T], up: &[T], scale: &[f32], out: &mut [T]) {
        let ok = gate.len() == up.len() && up.len() == out.len();
        let sizes = format!(
            "gate has {}, up {} and out {} elements",
            gate.len(),
            up.len(),
            out.len()
        );
        check_scaled("smooth_swiglu", gate.len(), scale.len(), ok, &sizes);
        let layout = ScaledLayout::Separate {
            gate: GateSlice::Separate { gate, out },
            up,
        };
        self.dispatch(MapScaled {
            op: &SWIGLU,
            layout,
            scale,
        });
    }

    /// [`Kernels::smooth_swiglu`] writing over the gates.
    ///
    /// # Panics
    /// If `scale` is empty, `gate` and `up` differ in length, or they are not whole rows.
    ///
    /// # Example
    /// ```
    /// let mut gate = [0.0_f32, 0.0];
    /// simd_activations::Kernels::detect().smooth_swiglu_inplace(&mut gate, &[3.0, 3.0], &[1.0]);
    /// assert_eq!(gate, [0.0, 0.0]);
    /// ```
    pub fn smooth_swiglu_inplace<T: Element>(self, gate: &mut [T], up: &[T], scale: &[f32]) {
        let ok = gate.len() == up.len();
        let sizes = format!("gate has {} and up {} elements", gate.len(), up.len());
        check_scaled("smooth_swiglu_inplace", gate.len(), scale.len(), ok, &sizes);
        let layout = ScaledLayout::Separate {
            gate: GateSlice::InPlace(gate),
            up,
        };
        self.dispatch(MapScaled {
            op: &SWIGLU,
            layout,
            scale,
        });
    }

    /// [`Kernels::smooth_swiglu`] on the fused layout: rows `[gate(width) | up(width)]` of
    /// `gate_up` (a fused gate/up projection's output), `width = scale.len()`, to rows of
    /// `width` in `out`.
    ///
    /// # Panics
    /// If `scale` is empty, `gate_up` is not whole rows of `2 * scale.len()`, or `out` is not
    /// half as long.
    ///
    /// # Example
    /// ```
    /// let gate_up = [0.0_f32, 0.0, 5.0, 5.0];
    /// let mut out = [1.0_f32; 2];
    /// simd_activations::Kernels::detect().smooth_swiglu_rows(&gate_up, &[1.0, 1.0], &mut out);
    /// assert_eq!(out, [0.0, 0.0]);
    /// ```
    pub fn smooth_swiglu_rows<T: Element>(self, gate_up: &[T], scale: &[f32], out: &mut [T]) {
        let w = scale.len();
        let ok = gate_up.len() == 2 * out.len() && (w == 0 || gate_up.len().is_multiple_of(2 * w));
        let sizes = format!(
            "gate_up has {} and out {} elements",
            gate_up.len(),
            out.len()
        );
        check_scaled("smooth_swiglu_rows", out.len(), w, ok, &sizes);
        let layout = ScaledLayout::Rows { gate_up, out };
        self.dispatch(MapScaled {
            op: &SWIGLU,
            layout,
            scale,
        });
    }

    /// [`Kernels::smooth_swiglu`] on interleaved pairs `[g0, u0, g1, u1, …]`: pair `i` is
    /// channel `i % scale.len()`; one result per pair.
    ///
    /// # Panics
    /// If `scale` is empty, `gate_up.len() != 2 * out.len()`, or `out` is not whole rows of
    /// `scale.len()`.
    ///
    /// # Example
    /// ```
    /// let gate_up = [0.0_f32, 7.0, 0.0, 9.0];
    /// let mut out = [1.0_f32; 2];
    /// simd_activations::Kernels::detect().smooth_swiglu_interleaved(&gate_up, &[2.0], &mut out);
    /// assert_eq!(out, [0.0, 0.0]);
    /// ```
    pub fn smooth_swiglu_interleaved<T: Element>(
        self,
        gate_up: &[T],
        scale: &[f32],
        out: &mut [T],
    ) {
        let ok = gate_up.len() == 2 * out.len();
        let sizes = format!(
            "gate_up has {} and out {} elements",
            gate_up.len(),
            out.len()
        );
        check_scaled(
            "smooth_swiglu_interleaved",
            out.len(),
            scale.len(),
            ok,
            &sizes,
        );
        let layout = ScaledLayout::Interleaved { gate_up, out };
        self.dispatch(MapScaled {
            op: &SWIGLU,
            layout,
            scale,
        });
    }
}

/// [`Kernels::smooth_swiglu`] with the ISA chosen once per process ([`Kernels::global`]).
///
/// # Panics
/// As [`Kernels::smooth_swiglu`].
///
/// # Example
/// ```
/// let mut out = [1.0_f32; 2];
/// simd_activations::smooth_swiglu(&[0.0_f32, 0.0], &[1.0, 1.0], &[1.0, 2.0], &mut out);
/// assert_eq!(out, [0.0, 0.0]);
/// ```
pub fn smooth_swiglu<T: Element>(gate: &[T], up: &[T], scale: &[f32], out: &mut [T]) {
    Kernels::global().smooth_swiglu(gate, up, scale, out);
}

/// [`Kernels::smooth_swiglu_inplace`] with the ISA chosen once per process.
///
/// # Panics
/// As [`Kernels::smooth_swiglu_inplace`].
///
/// # Example
/// ```
/// let mut gate = [0.0_f32];
/// simd_activations::smooth_swiglu_inplace(&mut gate, &[1.0], &[1.0]);
/// assert_eq!(gate, [0.0]);
/// ```
pub fn smooth_swiglu_inplace<T: Element>(gate: &mut [T], up: &[T], scale: &[f32]) {
    Kernels::global().smooth_swiglu_inplace(gate, up, scale);
}

/// [`Kernels::smooth_swiglu_rows`] with the ISA chosen once per process.
///
/// # Panics
/// As [`Kernels::smooth_swiglu_rows`].
///
/// # Example
/// ```
/// let mut out = [1.0_f32];
/// simd_activations::smooth_swiglu_rows(&[0.0_f32, 4.0], &[1.0], &mut out);
/// assert_eq!(out, [0.0]);
/// ```
pub fn smooth_swiglu_rows<T: Element>(gate_up: &[T], scale: &[f32], out: &mut [T]) {
    Kernels::global().smooth_swiglu_rows(gate_up, scale, out);
}

/// [`Kernels::smooth_swiglu_interleaved`] with the ISA chosen once per process.
///
/// # Panics
/// As [`Kernels::smooth_swiglu_interleaved`].
///
/// # Example
/// ```
/// let mut out = [1.0_f32];
/// simd_activations::smooth_swiglu_interleaved(&[0.0_f32, 4.0], &[1.0], &mut out);
/// assert_eq!(out, [0.0]);
/// ```
pub fn smooth_swiglu_interleaved<T: Element>(gate_up: &[T], scale: &[f32], out: &mut [T]) {
    Kernels::global().smooth_swiglu_interleaved(gate_up, scale, out);
}
