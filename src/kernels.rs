//! `Kernels`: every op bound to one ISA, and the process-wide default.

use std::sync::OnceLock;

use pulp::{Simd, WithSimd};

use crate::element::Element;
use crate::isa::{Isa, IsaUnavailable};
use crate::ops::{
    BackwardSlices, GateSlice, GatedBackwardOp, GatedOp, MapGated, MapGatedBackward,
    MapGatedInterleaved, MapGatedRows, MapGatedRowsBackward, MapInPlace, MapOutOfPlace, UnaryOp,
};

/// The environment variable that forces the ISA of the free functions for the whole process.
pub const ISA_ENV_VAR: &str = "SIMD_ACTIVATIONS_ISA";

#[derive(Clone, Copy, Debug)]
enum Level {
    Scalar(pulp::Scalar),
    #[cfg(target_arch = "x86_64")]
    Avx2(pulp::x86::V3),
    #[cfg(target_arch = "x86_64")]
    Avx512(pulp::x86::V4),
    #[cfg(target_arch = "aarch64")]
    Neon(pulp::aarch64::Neon),
}

/// Runs `op` with pulp's V3 features plus F16C enabled, so that the kernels (inlined here) can
/// use the hardware f16 conversions; pulp's own `V3::vectorize` does not enable F16C.
/// `#[inline]` places each instance in the codegen unit of its caller (each op's own, see
/// `write_kernel_module` in build.rs) instead of one unit for all.
#[cfg(target_arch = "x86_64")]
#[inline]
#[allow(unsafe_code)]
#[target_feature(
    enable = "sse,sse2,fxsr,sse3,ssse3,sse4.1,sse4.2,popcnt,avx,avx2,bmi1,bmi2,fma,lzcnt,f16c"
)]
fn with_avx2<Op: WithSimd>(simd: pulp::x86::V3, op: Op) -> Op::Output {
    op.with_simd(simd)
}

/// [`with_avx2`] for pulp's V4 (AVX-512 F/BW/CD/DQ/VL, which include F16C).
#[cfg(target_arch = "x86_64")]
#[inline]
#[allow(unsafe_code)]
#[target_feature(
    enable = "sse,sse2,fxsr,sse3,ssse3,sse4.1,sse4.2,popcnt,avx,avx2,bmi1,bmi2,fma,lzcnt,f16c,avx512f,avx512bw,avx512cd,avx512dq,avx512vl"
)]
fn with_avx512<Op: WithSimd>(simd: pulp::x86::V4, op: Op) -> Op::Output {
    op.with_simd(simd)
}

/// Every op of the crate bound to one ISA. Cheap to copy; building one checks the CPU once.
///
/// The free functions (`simd_activations::silu_inplace`, …) use [`Kernels::global`]; build a
/// `Kernels` yourself to benchmark or reproduce results on a given ISA.
///
/// # Example
/// ```
/// use simd_activations::{Isa, Kernels};
/// let scalar = Kernels::new(Isa::Scalar).unwrap();
/// let best = Kernels::detect();
/// let mut a = vec![0.5_f32, -3.0];
/// let mut b = a.clone();
/// scalar.silu_inplace(&mut a);
/// best.silu_inplace(&mut b);
/// assert!((a[1] - b[1]).abs() <= 2.0 * f32::EPSILON * b[1].abs());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Kernels {
    level: Level,
}

impl Kernels {
    /// Kernels for `isa`, or an error naming the ISAs this CPU has when it lacks `isa`.
    pub fn new(isa: Isa) -> Result<Kernels, IsaUnavailable> {
        let unavailable = IsaUnavailable { isa };
        let level = match isa {
            Isa::Scalar => Level::Scalar(pulp::Scalar::new()),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => Level::Avx2(
                pulp::x86::V3::try_new()
                    .filter(|_| std::arch::is_x86_feature_detected!("f16c"))
                    .ok_or(unavailable)?,
            ),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => Level::Avx512(pulp::x86::V4::try_new().ok_or(unavailable)?),
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => Level::Neon(pulp::aarch64::Neon::try_new().ok_or(unavailable)?),
            #[allow(unreachable_patterns)]
            _ => return Err(unavailable),
        };
        Ok(Kernels { level })
    }

    /// Kernels for the best ISA of this CPU ([`Isa::detect`]).
    pub fn detect() -> Kernels {
        Kernels::new(Isa::detect()).expect("the detected ISA is available")
    }

    /// The process-wide kernels the free functions use, chosen on first use: the ISA named by
    /// the environment variable `SIMD_ACTIVATIONS_ISA` (`scalar`, `avx2`, `avx512`, `neon`) if
    /// set, else [`Kernels::detect`]. An unknown or unavailable name prints an error to stderr
    /// and falls back to detection. The variable is read once per process.
    pub fn global() -> Kernels {
        static GLOBAL: OnceLock<Kernels> = OnceLock::new();
        *GLOBAL.get_or_init(|| match std::env::var(ISA_ENV_VAR) {
            Err(_) => Kernels::detect(),
            Ok(name) => match name.parse::<Isa>() {
                Ok(isa) => Kernels::new(isa).unwrap_or_else(|e| {
                    eprintln!(
                        "simd-activations: {ISA_ENV_VAR}={name}: {e}; using {}",
                        Isa::detect()
                    );
                    Kernels::detect()
                }),
                Err(e) => {
                    eprintln!(
                        "simd-activations: {ISA_ENV_VAR}: {e}; using {}",
                        Isa::detect()
                    );
                    Kernels::detect()
                }
            },
        })
    }

    /// The ISA these kernels run on.
    pub fn isa(self) -> Isa {
        match self.level {
            Level::Scalar(_) => Isa::Scalar,
            #[cfg(target_arch = "x86_64")]
            Level::Avx2(_) => Isa::Avx2,
            #[cfg(target_arch = "x86_64")]
            Level::Avx512(_) => Isa::Avx512,
            #[cfg(target_arch = "aarch64")]
            Level::Neon(_) => Isa::Neon,
        }
    }

    /// Runs `op` with this ISA's `pulp::Simd` type (inside its `#[target_feature]` context).
    #[inline(always)]
    #[allow(unsafe_code)]
    pub(crate) fn dispatch<Op: WithSimd>(self, op: Op) -> Op::Output {
        match self.level {
            Level::Scalar(simd) => Simd::vectorize(simd, op),
            // SAFETY: `Kernels::new` built these only after checking every feature enabled by
            // `with_avx2` (pulp's V3 set plus F16C) or `with_avx512` (V4 plus F16C).
            #[cfg(target_arch = "x86_64")]
            Level::Avx2(simd) => unsafe { with_avx2(simd, op) },
            // SAFETY: as above, for the V4 set.
            #[cfg(target_arch = "x86_64")]
            Level::Avx512(simd) => unsafe { with_avx512(simd, op) },
            #[cfg(target_arch = "aarch64")]
            Level::Neon(simd) => Simd::vectorize(simd, op),
        }
    }

    /// `out[i] = op(x[i])`; panics naming `name` when the lengths differ.
    #[inline]
    pub(crate) fn map<T: Element, Op: UnaryOp>(self, name: &str, op: &Op, x: &[T], out: &mut [T]) {
        check_map(name, x.len(), out.len());
        self.dispatch(MapOutOfPlace { op, x, out });
    }

    /// `x[i] = op(x[i])`.
    #[inline]
    pub(crate) fn map_inplace<T: Element, Op: UnaryOp>(self, op: &Op, x: &mut [T]) {
        self.dispatch(MapInPlace { op, x });
    }

    /// `out[i] = op(gate[i], up[i])`; panics naming `name` unless all three lengths agree.
    #[inline]
    pub(crate) fn map_gated<T: Element, Op: GatedOp>(
        self,
        name: &str,
        op: &Op,
        gate: &[T],
        up: &[T],
        out: &mut [T],
    ) {
        check_gated(name, gate.len(), up.len(), out.len());
        let gate = GateSlice::Separate { gate, out };
        self.dispatch(MapGated { op, gate, up });
    }

    /// `gate[i] = op(gate[i], up[i])`; panics naming `name` unless the lengths agree.
    #[inline]
    pub(crate) fn map_gated_inplace<T: Element, Op: GatedOp>(
        self,
        name: &str,
        op: &Op,
        gate: &mut [T],
        up: &[T],
    ) {
        check_gated(name, gate.len(), up.len(), gate.len());
        let gate = GateSlice::InPlace(gate);
        self.dispatch(MapGated { op, gate, up });
    }

    /// Rows `[gate(width) | up(width)]` to rows of `width`; panics naming `name` on a zero
    /// width, an input that is not whole rows, or an output of the wrong length.
    #[inline]
    pub(crate) fn map_gated_rows<T: Element, Op: GatedOp>(
        self,
        name: &str,
        op: &Op,
        gate_up: &[T],
        width: usize,
        out: &mut [T],
    ) {
        check_rows(name, gate_up.len(), width, out.len());
        self.dispatch(MapGatedRows {
            op,
            gate_up,
            width,
            out,
        });
    }

    /// Interleaved pairs `[g0, u0, g1, u1, …]` to one result per pair; panics naming `name`
    /// unless `gate_up.len() == 2 * out.len()`.
    #[inline]
    pub(crate) fn map_gated_interleaved<T: Element, Op: GatedOp>(
        self,
        name: &str,
        op: &Op,
        gate_up: &[T],
        out: &mut [T],
    ) {
        check_interleaved(name, gate_up.len(), out.len());
        self.dispatch(MapGatedInterleaved { op, gate_up, out });
    }
}

impl Kernels {
    /// `(grad_gate[i], grad_up[i])` of a gated op from `(gate[i], up[i], grad[i])`; panics
    /// naming `name` unless all five lengths agree.
    #[inline]
    pub(crate) fn map_gated_backward<T: Element, Op: GatedBackwardOp>(
        self,
        name: &str,
        op: &Op,
        (gate, up, grad): (&[T], &[T], &[T]),
        (grad_gate, grad_up): (&mut [T], &mut [T]),
    ) {
        let n = grad.len();
        assert!(
            gate.len() == n && up.len() == n && grad_gate.len() == n && grad_up.len() == n,
            "simd_activations::{name}: gate ({}), up ({}), grad_out ({n}), grad_gate ({}) and grad_up ({}) must have the same length",
            gate.len(),
            up.len(),
            grad_gate.len(),
            grad_up.len()
        );
        let slices = BackwardSlices {
            gate,
            up,
            grad,
            grad_gate,
            grad_up,
        };
        self.dispatch(MapGatedBackward { op, slices });
    }

    /// The backward pass of the row layout: rows `[gate | up]` and `grad_out` rows of `width`
    /// to rows `[grad_gate | grad_up]`; panics naming `name` on a zero width or sizes that do
    /// not fit.
    #[inline]
    pub(crate) fn map_gated_rows_backward<T: Element, Op: GatedBackwardOp>(
        self,
        name: &str,
        op: &Op,
        (gate_up, width, grad): (&[T], usize, &[T]),
        grad_gate_up: &mut [T],
    ) {
        check_rows(name, gate_up.len(), width, grad.len());
        assert!(
            grad_gate_up.len() == gate_up.len(),
            "simd_activations::{name}: grad_gate_up ({}) must have the length of gate_up ({})",
            grad_gate_up.len(),
            gate_up.len()
        );
        self.dispatch(MapGatedRowsBackward {
            op,
            gate_up,
            width,
            grad,
            grad_gate_up,
        });
    }
}

/// Panics naming `name` unless input and output lengths agree.
pub(crate) fn check_map(name: &str, x: usize, out: usize) {
    assert!(
        x == out,
        "simd_activations::{name}: input has {x} elements but output has {out}"
    );
}

/// Panics naming `name` unless the gate, up and output lengths agree.
pub(crate) fn check_gated(name: &str, gate: usize, up: usize, out: usize) {
    assert!(
        gate == up && up == out,
        "simd_activations::{name}: gate has {gate} elements, up {up} and output {out}; all three must be equal"
    );
}

/// Panics naming `name` unless `gate_up` is whole rows of `2 * width` and `out` has as many rows
/// of `width`.
pub(crate) fn check_rows(name: &str, gate_up: usize, width: usize, out: usize) {
    assert!(
        width > 0 && gate_up.is_multiple_of(2 * width) && out * 2 == gate_up,
        "simd_activations::{name}: gate_up has {gate_up} elements and output {out} with width {width}; \
         need width > 0, gate_up a multiple of 2 * width and output half of gate_up"
    );
}

/// Panics naming `name` unless `gate_up` holds exactly one pair per output element.
pub(crate) fn check_interleaved(name: &str, gate_up: usize, out: usize) {
    assert!(
        gate_up == 2 * out,
        "simd_activations::{name}: gate_up has {gate_up} elements but output has {out}; need gate_up = 2 * output"
    );
}
