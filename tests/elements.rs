//! Every unary op on every one of the 65 536 bf16 and f16 inputs, on every ISA this CPU has:
//! each output within the catalogue's `ulp_half` (1 ULP) of the element type from the f64
//! reference, at least the op's `correctly_rounded` share (99.9% unless its entry says why) of
//! them the correctly rounded value, NaN for NaN, and the same bits on every ISA.

mod common;

use simd_activations::catalogue::{OPS, OpSpec};
use simd_activations::ulp::ulp_distance_in;
use simd_activations::{Element, Kernels, bf16, f16};

struct Tally {
    worst: f64,
    worst_input: f32,
    correctly_rounded: usize,
    total: usize,
}

fn sweep<T: Element>(
    k: Kernels,
    op: &OpSpec,
    eval: fn(Kernels, &[T], &mut [T]),
    from_bits: fn(u16) -> T,
) -> (Tally, Vec<T>) {
    let x: Vec<T> = (0..=u16::MAX).map(from_bits).collect();
    let mut y = x.clone();
    eval(k, &x, &mut y);
    let mut t = Tally {
        worst: 0.0,
        worst_input: 0.0,
        correctly_rounded: 0,
        total: 0,
    };
    for (&xi, &yi) in x.iter().zip(&y) {
        let xf = xi.to_f32();
        if xf.is_nan() {
            assert!(
                yi.to_f32().is_nan(),
                "{} {} {}: NaN in, {yi:?} out",
                op.name,
                T::NAME,
                k.isa()
            );
            continue;
        }
        let exact = (op.reference)(f64::from(xf));
        let err = ulp_distance_in(yi, exact);
        t.total += 1;
        if T::from_f64(exact) == yi || (exact.is_nan() && yi.to_f32().is_nan()) {
            t.correctly_rounded += 1;
        }
        if err > t.worst {
            t.worst = err;
            t.worst_input = xf;
        }
    }
    (t, y)
}

fn check_type<T: Element>(
    name: &str,
    eval: impl Fn(&OpSpec) -> fn(Kernels, &[T], &mut [T]),
    from_bits: fn(u16) -> T,
) {
    for op in OPS {
        let mut first: Option<Vec<T>> = None;
        for k in common::all_kernels() {
            let (t, y) = sweep(k, op, eval(op), from_bits);
            let share = t.correctly_rounded as f64 / t.total as f64;
            common::note(&format!(
                "{:>10} {name} {:>6}: max {:.3} ULP at {:e}, {:.4}% correctly rounded",
                op.name,
                k.isa(),
                t.worst,
                t.worst_input,
                100.0 * share
            ));
            assert!(
                t.worst <= op.ulp_in::<T>(),
                "{} {name} {}: {} ULP at {:e} (budget {})",
                op.name,
                k.isa(),
                t.worst,
                t.worst_input,
                op.ulp_in::<T>()
            );
            assert!(
                share >= op.correctly_rounded,
                "{} {name} {}: only {share} correctly rounded (at least {} required)",
                op.name,
                k.isa(),
                op.correctly_rounded
            );
            match &first {
                None => first = Some(y),
                Some(f) => {
                    let same = f.iter().zip(&y).all(|(a, b)| {
                        widened_bits(a) == widened_bits(b)
                            || (a.to_f32().is_nan() && b.to_f32().is_nan())
                    });
                    assert!(same, "{} {name}: {} differs from scalar", op.name, k.isa());
                }
            }
        }
    }
}

/// The bits of the value widened to f32 (exact, so equal bits mean equal elements).
fn widened_bits<T: Element>(v: &T) -> u32 {
    v.to_f32().to_bits()
}

#[test]
fn every_bf16_input() {
    check_type::<bf16>("bf16", |op| op.eval_bf16, bf16::from_bits);
}

#[test]
fn every_f16_input() {
    check_type::<f16>("f16", |op| op.eval_f16, f16::from_bits);
}
