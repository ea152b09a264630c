//! Instruction-set detection and forcing.

use std::fmt;

/// An instruction set the kernels can run on.
///
/// Every ISA runs the same generic kernel body with fused multiply-adds, so all of them give
/// bitwise identical results. `Scalar` (one lane, portable Rust) gets its fused multiply-add from
/// `f32::mul_add`, a call to the C library's `fmaf` (correct everywhere, slow: the scalar path is
/// a reference and fallback, not a fast path).
///
/// # Example
/// ```
/// use simd_activations::Isa;
/// let best = Isa::detect();
/// assert!(Isa::available().contains(&best));
/// assert_eq!(best.name().parse::<Isa>().unwrap(), best);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Isa {
    /// Portable one-lane fallback (any CPU).
    Scalar,
    /// x86-64 AVX2 + FMA + F16C (pulp's `V3`, x86-64-v3), 8 f32 lanes.
    Avx2,
    /// x86-64 AVX-512 F/BW/DQ/VL (pulp's `V4`, x86-64-v4), 16 f32 lanes.
    Avx512,
    /// AArch64 Advanced SIMD, 4 f32 lanes.
    Neon,
}

impl Isa {
    /// Every ISA this crate knows, from the most portable to the widest.
    pub const ALL: [Isa; 4] = [Isa::Scalar, Isa::Avx2, Isa::Avx512, Isa::Neon];

    /// The best ISA this CPU supports (widest vectors first).
    pub fn detect() -> Isa {
        *Isa::available().last().expect("Scalar is always available")
    }

    /// The ISAs this CPU supports, `Scalar` first and the best last.
    pub fn available() -> Vec<Isa> {
        Isa::ALL
            .into_iter()
            .filter(|&isa| isa.is_supported())
            .collect()
    }

    /// Whether this CPU can run `self`.
    pub fn is_supported(self) -> bool {
        match self {
            Isa::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => {
                pulp::x86::V3::try_new().is_some() && std::arch::is_x86_feature_detected!("f16c")
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => pulp::x86::V4::try_new().is_some(),
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => pulp::aarch64::Neon::try_new().is_some(),
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The lower-case name used by `SIMD_ACTIVATIONS_ISA` and the report: `scalar`, `avx2`,
    /// `avx512` or `neon`.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Scalar => "scalar",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
            Isa::Neon => "neon",
        }
    }

    /// Number of f32 lanes of one vector register.
    pub fn lanes(self) -> usize {
        match self {
            Isa::Scalar => 1,
            Isa::Avx2 => 8,
            Isa::Avx512 => 16,
            Isa::Neon => 4,
        }
    }
}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an ISA name that is none of `scalar`, `avx2`, `avx512`, `neon`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownIsa(pub String);

impl fmt::Display for UnknownIsa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown ISA {:?} (expected one of: scalar, avx2, avx512, neon)",
            self.0
        )
    }
}

impl std::error::Error for UnknownIsa {}

impl std::str::FromStr for Isa {
    type Err = UnknownIsa;

    /// Parses a name as [`Isa::name`] prints it, ignoring case and surrounding spaces.
    fn from_str(s: &str) -> Result<Isa, UnknownIsa> {
        let wanted = s.trim().to_ascii_lowercase();
        Isa::ALL
            .into_iter()
            .find(|isa| isa.name() == wanted)
            .ok_or_else(|| UnknownIsa(s.to_string()))
    }
}

/// The error of asking for an ISA this CPU (or this build's target) cannot run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsaUnavailable {
    /// The ISA that was asked for.
    pub isa: Isa,
}

impl fmt::Display for IsaUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let available: Vec<&str> = Isa::available().into_iter().map(Isa::name).collect();
        write!(
            f,
            "ISA {} is not available on this CPU (available: {})",
            self.isa,
            available.join(", ")
        )
    }
}

impl std::error::Error for IsaUnavailable {}
