//! The parametrised ops away from their catalogue defaults (accuracy against the f64 reference
//! with the same parameters, every ISA), and the checked parameters: a zero, negative or NaN
//! `celu` alpha or `softplus` beta panics in every entry point, with a message naming the
//! function and the value. swish's beta has its own tests in tests/api.rs.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{all_kernels, show};
use simd_activations::catalogue::OpSpec;
use simd_activations::ulp::ulp_distance;
use simd_activations::{Kernels, par, reference};

/// Kernel call and reference of one op at one parameter setting.
struct Setting {
    op: &'static str,
    params: &'static str,
    kernel: fn(Kernels, &[f32], &mut [f32]),
    reference: fn(f64) -> f64,
}

const SETTINGS: &[Setting] = &[
    Setting {
        op: "step",
        params: "threshold = 1.5",
        kernel: |k, x, y| k.step(x, 1.5, y),
        reference: |x| reference::step(x, 1.5),
    },
    Setting {
        op: "leaky_relu",
        params: "alpha = 0.2",
        kernel: |k, x, y| k.leaky_relu(x, 0.2, y),
        reference: |x| reference::leaky_relu(x, f64::from(0.2f32)),
    },
    Setting {
        op: "leaky_relu",
        params: "alpha = -0.5",
        kernel: |k, x, y| k.leaky_relu(x, -0.5, y),
        reference: |x| reference::leaky_relu(x, -0.5),
    },
    Setting {
        op: "rrelu",
        params: "lower = 0.1, upper = 0.3",
        kernel: |k, x, y| k.rrelu(x, 0.1, 0.3, y),
        reference: |x| reference::rrelu(x, f64::from(0.1f32), f64::from(0.3f32)),
    },
    Setting {
        op: "elu",
        params: "alpha = 0.5",
        kernel: |k, x, y| k.elu(x, 0.5, y),
        reference: |x| reference::elu(x, 0.5),
    },
    Setting {
        op: "elu",
        params: "alpha = 2",
        kernel: |k, x, y| k.elu(x, 2.0, y),
        reference: |x| reference::elu(x, 2.0),
    },
    Setting {
        op: "celu",
        params: "alpha = 0.25",
        kernel: |k, x, y| k.celu(x, 0.25, y),
        reference: |x| reference::celu(x, 0.25),
    },
    Setting {
        op: "celu",
        params: "alpha = 3",
        kernel: |k, x, y| k.celu(x, 3.0, y),
        reference: |x| reference::celu(x, 3.0),
    },
    Setting {
        op: "softplus",
        params: "beta = 0.5, threshold = 20",
        kernel: |k, x, y| k.softplus(x, 0.5, 20.0, y),
        reference: |x| reference::softplus(x, 0.5, 20.0),
    },
    Setting {
        op: "softplus",
        params: "beta = 2, threshold = 10",
        kernel: |k, x, y| k.softplus(x, 2.0, 10.0, y),
        reference: |x| reference::softplus(x, 2.0, 10.0),
    },
    Setting {
        op: "star_relu",
        params: "scale = 1, bias = 0",
        kernel: |k, x, y| k.star_relu(x, 1.0, 0.0, y),
        reference: |x| reference::star_relu(x, 1.0, 0.0),
    },
    Setting {
        op: "star_relu",
        params: "scale = 2, bias = 0.5",
        kernel: |k, x, y| k.star_relu(x, 2.0, 0.5, y),
        reference: |x| reference::star_relu(x, 2.0, 0.5),
    },
];

/// 200 001 inputs evenly over the op's sweep interval, widened by half its width on each side.
fn inputs(op: &OpSpec) -> Vec<f32> {
    let (lo, hi) = op.sweep;
    let (lo, hi) = (lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo));
    let n = 200_001;
    (0..n)
        .map(|i| (lo + (hi - lo) * i as f64 / (n - 1) as f64) as f32)
        .collect()
}

#[test]
fn other_parameters_within_budget() {
    let mut failures = Vec::new();
    for s in SETTINGS {
        let op = OpSpec::find(s.op).expect("op of the catalogue");
        let x = inputs(op);
        for k in all_kernels() {
            let mut y = vec![0.0; x.len()];
            (s.kernel)(k, &x, &mut y);
            let err = |i: usize| ulp_distance(y[i], (s.reference)(f64::from(x[i])));
            let over = (0..x.len())
                .filter(|&i| err(i).is_nan() || err(i) > op.ulp_f32)
                .count();
            if over > 0 {
                let worst = (0..x.len())
                    .max_by(|&i, &j| err(i).total_cmp(&err(j)))
                    .unwrap();
                failures.push(format!(
                    "{}({}) on {}: {over} of {} inputs over {} ULP; worst {:.3} ULP at x = {} -> {}",
                    s.op,
                    s.params,
                    k.isa(),
                    x.len(),
                    op.ulp_f32,
                    err(worst),
                    show(x[worst]),
                    show(y[worst]),
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An entry point, the parameter it checks, and a call with a bad value.
type Call = (&'static str, &'static str, Box<dyn Fn()>);

/// The panic message of `f`, or `None` if it returns.
fn panic_message(f: impl FnOnce()) -> Option<String> {
    let payload = catch_unwind(AssertUnwindSafe(f)).err()?;
    Some(
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default(),
    )
}

#[test]
fn non_positive_or_nan_checked_parameters_panic_with_a_clear_message() {
    let mut failures = Vec::new();
    for bad in [0.0f32, -0.0, -1.0, f32::NAN, f32::NEG_INFINITY] {
        let x = [1.0f32; 3];
        let calls: [Call; 8] = [
            (
                "celu",
                "alpha",
                Box::new(move || simd_activations::celu(&x, bad, &mut [0.0; 3])),
            ),
            (
                "celu_inplace",
                "alpha",
                Box::new(move || simd_activations::celu_inplace(&mut [1.0f32], bad)),
            ),
            (
                "par::celu",
                "alpha",
                Box::new(move || par::celu(&x, bad, &mut [0.0; 3])),
            ),
            (
                "par::celu_inplace",
                "alpha",
                Box::new(move || par::celu_inplace(&mut [0.0f32; 0], bad)),
            ),
            (
                "softplus",
                "beta",
                Box::new(move || simd_activations::softplus(&x, bad, 20.0, &mut [0.0; 3])),
            ),
            (
                "softplus_inplace",
                "beta",
                Box::new(move || simd_activations::softplus_inplace(&mut [0.0f32; 0], bad, 20.0)),
            ),
            (
                "par::softplus",
                "beta",
                Box::new(move || par::softplus(&x, bad, 20.0, &mut [0.0; 3])),
            ),
            (
                "par::softplus_inplace",
                "beta",
                Box::new(move || par::softplus_inplace(&mut [1.0f32; 5000], bad, 20.0)),
            ),
        ];
        for (function, param, call) in calls {
            let want = format!("simd_activations::{function}: {param} must be positive, got {bad}");
            match panic_message(call) {
                Some(m) if m == want => {}
                Some(m) => failures.push(format!(
                    "{function}({param} = {bad}): panicked with {m:?}, want {want:?}"
                )),
                None => failures.push(format!("{function}({param} = {bad}): did not panic")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The bf16 and f16 entry points check the same parameters.
#[test]
fn checks_hold_for_every_element_type() {
    use half::{bf16, f16};
    let k = Kernels::detect();
    assert!(panic_message(|| k.celu_inplace(&mut [bf16::ONE], 0.0)).is_some());
    assert!(panic_message(|| k.softplus_inplace(&mut [f16::ONE], -2.0, 20.0)).is_some());
    let mut y = [f16::ZERO];
    assert!(panic_message(|| k.softplus(&[f16::ONE], f32::NAN, 20.0, &mut y)).is_some());
    // positive values are accepted, however small
    k.celu_inplace(&mut [bf16::ONE], f32::MIN_POSITIVE);
    k.softplus_inplace(&mut [f16::ONE], 1e-30, 20.0);
}
