//! Distances in units in the last place (ULP) of f32.

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
    let a = exact.abs();
    if a < f64::from(f32::MIN_POSITIVE) {
        return 2f64.powi(-149);
    }
    // The binary exponent of |exact| from its f64 bits (exact, unlike log2), capped at f32's 127.
    let e = ((a.to_bits() >> 52) as i64 - 1023).min(127);
    f64::from_bits(((e - 23 + 1023) as u64) << 52)
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
    match (got.is_nan(), exact.is_nan()) {
        (true, true) => return 0.0,
        (true, false) | (false, true) => return f64::INFINITY,
        _ => {}
    }
    let rounded = exact as f32;
    if got.is_infinite() || rounded.is_infinite() {
        return if got == rounded { 0.0 } else { f64::INFINITY };
    }
    (f64::from(got) - exact).abs() / ulp_of(exact)
}
