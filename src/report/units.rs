//! Number formats shared by the table and the charts.

/// `n` elements as the report writes sizes: `4Ki`, `64Ki`, `1Mi`, `16Mi` for multiples of
/// 1024 and 1024², plain digits otherwise.
pub fn size_label(n: usize) -> String {
    match n {
        n if n >= 1 << 30 && n % (1 << 30) == 0 => format!("{}Gi", n >> 30),
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{}Mi", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{}Ki", n >> 10),
        n => n.to_string(),
    }
}

/// `v` with three significant digits and no exponent (`12.3`, `1.23`, `0.0123`), at most five
/// decimals.
pub fn sig3(v: f64) -> String {
    if !v.is_finite() || v <= 0.0 {
        return format!("{v}");
    }
    let decimals = (2 - v.log10().floor() as i32).clamp(0, 5) as usize;
    format!("{v:.decimals$}")
}
