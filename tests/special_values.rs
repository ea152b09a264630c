//! Special values of every op, hand-written: NaN, signed zeros, infinities, saturation and
//! underflow thresholds, huge finite inputs, subnormals and the ends of the f32 range; each case
//! on every ISA of this CPU, both in the tail path (one element) and in full vectors (the input
//! repeated over 67 elements, which covers the unrolled main loop, single vectors and the tail
//! for 4, 8 and 16 lanes).

mod common;

use std::fmt::Write as _;

use common::{all_kernels, show};
use simd_activations::Kernels;
use simd_activations::catalogue::{OPS, OpSpec};
use simd_activations::ulp::ulp_distance;

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// These exact bits (so the sign of a zero counts).
    Bits(f32),
    /// Finite (no NaN, no infinity) and within the op's ULP budget of the reference.
    Finite,
    /// Within the op's ULP budget of the reference (an infinity only where the exact value is
    /// beyond f32 range), so never NaN.
    InBudget,
    /// A positive subnormal (`0 < y < f32::MIN_POSITIVE`), within the ULP budget.
    PositiveSubnormal,
}

use Expect::{Bits, Finite, InBudget, PositiveSubnormal};

const INF: f32 = f32::INFINITY;

/// NaN inputs tried for every op: quiet and signalling, both signs, a few payloads.
const NANS: [u32; 6] = [
    0x7fc0_0000,
    0xffc0_0000,
    0x7f80_0001,
    0xff80_0001,
    0x7fbf_ffff,
    0x7fc1_2345,
];

/// The NaN rows: every op of the catalogue (step, whose output is 0 or 1, maps NaN to NaN too).
const NAN_OPS: [&str; 25] = [
    "exp",
    "sigmoid",
    "tanh",
    "erf",
    "silu",
    "swish",
    "gelu",
    "gelu_tanh",
    "relu",
    "step",
    "relu6",
    "leaky_relu",
    "rrelu",
    "elu",
    "selu",
    "celu",
    "softplus",
    "log_sigmoid",
    "mish",
    "hard_sigmoid",
    "hard_swish",
    "squared_relu",
    "star_relu",
    "gelu_sigmoid",
    "softsign",
];

/// Signed zeros, infinities and the finite special cases; parametrised ops run with their
/// catalogue defaults (swish beta 1, leaky_relu alpha 0.01, rrelu slope (1/8 + 1/3)/2, elu and
/// celu alpha 1, softplus beta 1 and threshold 20, star_relu scale 0.8944 and bias -0.4472).
const CASES: &[(&str, f32, Expect)] = &[
    // ---- signed zeros: odd ops and relu keep the sign
    ("exp", 0.0, Bits(1.0)),
    ("exp", -0.0, Bits(1.0)),
    ("sigmoid", 0.0, Bits(0.5)),
    ("sigmoid", -0.0, Bits(0.5)),
    ("tanh", 0.0, Bits(0.0)),
    ("tanh", -0.0, Bits(-0.0)),
    ("erf", 0.0, Bits(0.0)),
    ("erf", -0.0, Bits(-0.0)),
    ("silu", 0.0, Bits(0.0)),
    ("silu", -0.0, Bits(-0.0)),
    ("swish", 0.0, Bits(0.0)),
    ("swish", -0.0, Bits(-0.0)),
    ("gelu", 0.0, Bits(0.0)),
    ("gelu", -0.0, Bits(-0.0)),
    ("gelu_tanh", 0.0, Bits(0.0)),
    ("gelu_tanh", -0.0, Bits(-0.0)),
    ("relu", 0.0, Bits(0.0)),
    ("relu", -0.0, Bits(-0.0)),
    // ---- infinities
    ("exp", -INF, Bits(0.0)),
    ("exp", INF, Bits(INF)),
    ("sigmoid", -INF, Bits(0.0)),
    ("sigmoid", INF, Bits(1.0)),
    ("tanh", -INF, Bits(-1.0)),
    ("tanh", INF, Bits(1.0)),
    ("erf", -INF, Bits(-1.0)),
    ("erf", INF, Bits(1.0)),
    ("silu", -INF, Bits(-0.0)),
    ("silu", INF, Bits(INF)),
    ("swish", -INF, Bits(-0.0)),
    ("swish", INF, Bits(INF)),
    ("gelu", -INF, Bits(-0.0)),
    ("gelu", INF, Bits(INF)),
    ("gelu_tanh", -INF, Bits(-0.0)),
    ("gelu_tanh", INF, Bits(INF)),
    ("relu", -INF, Bits(0.0)),
    ("relu", INF, Bits(INF)),
    // ---- exp: overflow and underflow thresholds
    ("exp", 88.7, Finite),
    ("exp", 88.72283, Finite), // just below ln(f32::MAX) = 88.722839
    ("exp", 88.73, Bits(INF)),
    ("exp", 1e30, Bits(INF)),
    ("exp", -87.33654, InBudget), // around ln(f32::MIN_POSITIVE)
    ("exp", -103.9, PositiveSubnormal),
    ("exp", -103.97, PositiveSubnormal), // rounds to the smallest subnormal
    ("exp", -104.5, Bits(0.0)),
    ("exp", -1e30, Bits(0.0)),
    // ---- sigmoid: subnormal tail and saturation
    ("sigmoid", -100.0, Finite),
    ("sigmoid", -88.0, Finite),
    ("sigmoid", -103.9, PositiveSubnormal),
    ("sigmoid", -1e30, Bits(0.0)),
    ("sigmoid", 20.0, Bits(1.0)),
    ("sigmoid", 100.0, Bits(1.0)),
    ("sigmoid", 1e30, Bits(1.0)),
    // ---- tanh: saturation
    ("tanh", 10.0, Bits(1.0)),
    ("tanh", -10.0, Bits(-1.0)),
    ("tanh", 1e30, Bits(1.0)),
    ("tanh", -1e30, Bits(-1.0)),
    // ---- erf: saturation
    ("erf", 4.0, Bits(1.0)),
    ("erf", -4.0, Bits(-1.0)),
    ("erf", 1e30, Bits(1.0)),
    ("erf", -1e30, Bits(-1.0)),
    // ---- silu / swish: underflowing negative tail, identity for large x
    ("silu", -89.0, Finite),
    ("silu", -100.0, Finite),
    ("silu", -120.0, Finite),
    ("silu", -1e30, Finite),
    ("silu", 100.0, Bits(100.0)),
    ("silu", 1e30, Bits(1e30)),
    ("swish", -89.0, Finite),
    ("swish", -1e30, Finite),
    ("swish", 1e30, Bits(1e30)),
    // ---- gelu: underflowing negative tail, identity for large x
    ("gelu", -14.0, Finite),
    ("gelu", -50.0, Finite),
    ("gelu", 50.0, Bits(50.0)),
    ("gelu", -1e30, Finite),
    ("gelu", 1e30, Bits(1e30)),
    // ---- gelu_tanh: x^3 overflows f32 for |x| > 7e12
    ("gelu_tanh", -50.0, Finite),
    ("gelu_tanh", 50.0, Bits(50.0)),
    ("gelu_tanh", -1e13, Finite),
    ("gelu_tanh", 1e13, Bits(1e13)),
    ("gelu_tanh", -1e30, Finite),
    ("gelu_tanh", 1e30, Bits(1e30)),
    // ---- relu
    ("relu", -1e30, Bits(0.0)),
    ("relu", 1e30, Bits(1e30)),
    ("relu", -f32::MIN_POSITIVE, Bits(0.0)),
    ("relu", f32::MIN_POSITIVE, Bits(f32::MIN_POSITIVE)),
    ("relu", -1e-45, Bits(0.0)),
    ("relu", 1e-45, Bits(1e-45)),
    // ---- step: 1 where x >= 0, so both zeros give 1
    ("step", 0.0, Bits(1.0)),
    ("step", -0.0, Bits(1.0)),
    ("step", -INF, Bits(0.0)),
    ("step", INF, Bits(1.0)),
    ("step", -1e-45, Bits(0.0)),
    ("step", 1e-45, Bits(1.0)),
    // ---- relu6: sign of zero kept, capped at 6
    ("relu6", 0.0, Bits(0.0)),
    ("relu6", -0.0, Bits(-0.0)),
    ("relu6", -INF, Bits(0.0)),
    ("relu6", INF, Bits(6.0)),
    ("relu6", 6.0, Bits(6.0)),
    ("relu6", 6.000_001, Bits(6.0)),
    ("relu6", 1e30, Bits(6.0)),
    // ---- leaky_relu / rrelu: linear on both sides, so infinities stay infinite
    ("leaky_relu", 0.0, Bits(0.0)),
    ("leaky_relu", -0.0, Bits(-0.0)),
    ("leaky_relu", -INF, Bits(-INF)),
    ("leaky_relu", INF, Bits(INF)),
    ("leaky_relu", -1e30, InBudget),
    ("leaky_relu", -1e-45, Bits(-0.0)),
    ("rrelu", 0.0, Bits(0.0)),
    ("rrelu", -0.0, Bits(-0.0)),
    ("rrelu", -INF, Bits(-INF)),
    ("rrelu", INF, Bits(INF)),
    ("rrelu", -1e30, InBudget),
    // ---- elu / selu / celu: saturate at -alpha (-lambda*alpha for selu), linear above 0
    ("elu", 0.0, Bits(0.0)),
    ("elu", -0.0, Bits(-0.0)),
    ("elu", -INF, Bits(-1.0)),
    ("elu", INF, Bits(INF)),
    ("elu", -1e30, Bits(-1.0)),
    ("elu", -20.0, InBudget),
    ("elu", 1e30, Bits(1e30)),
    ("selu", 0.0, Bits(0.0)),
    ("selu", -0.0, Bits(-0.0)),
    ("selu", -INF, InBudget),
    ("selu", INF, Bits(INF)),
    ("selu", -1e30, InBudget),
    ("selu", 1e30, InBudget),
    ("selu", f32::MAX, Bits(INF)), // lambda * MAX overflows
    ("celu", 0.0, Bits(0.0)),
    ("celu", -0.0, Bits(-0.0)),
    ("celu", -INF, Bits(-1.0)),
    ("celu", INF, Bits(INF)),
    ("celu", -1e30, Bits(-1.0)),
    // ---- softplus / log_sigmoid: ln 2 at zero, exp(x) relative accuracy far left, no overflow
    ("softplus", 0.0, InBudget),
    ("softplus", -0.0, InBudget),
    ("softplus", -INF, Bits(0.0)),
    ("softplus", INF, Bits(INF)),
    ("softplus", -80.0, Finite),
    ("softplus", -100.0, PositiveSubnormal),
    ("softplus", -1e30, Bits(0.0)),
    ("softplus", 20.5, Bits(20.5)), // linear above the threshold
    ("softplus", 1e30, Bits(1e30)),
    ("log_sigmoid", 0.0, InBudget),
    ("log_sigmoid", -0.0, InBudget),
    ("log_sigmoid", -INF, Bits(-INF)),
    ("log_sigmoid", INF, Bits(-0.0)),
    ("log_sigmoid", 100.0, Finite), // -exp(-100): a negative normal
    ("log_sigmoid", -100.0, InBudget),
    ("log_sigmoid", -1e30, Bits(-1e30)),
    ("log_sigmoid", 1e30, Bits(-0.0)),
    // ---- mish: x for large x, -0 from the underflowing left tail
    ("mish", 0.0, Bits(0.0)),
    ("mish", -0.0, Bits(-0.0)),
    ("mish", -INF, Bits(-0.0)),
    ("mish", INF, Bits(INF)),
    ("mish", -50.0, Finite),
    ("mish", -1e30, Bits(-0.0)),
    ("mish", 1e30, Bits(1e30)),
    // ---- hard_sigmoid / hard_swish: exact 0 and 1 (x) outside [-3, 3]
    ("hard_sigmoid", 0.0, Bits(0.5)),
    ("hard_sigmoid", -0.0, Bits(0.5)),
    ("hard_sigmoid", -INF, Bits(0.0)),
    ("hard_sigmoid", INF, Bits(1.0)),
    ("hard_sigmoid", 3.0, Bits(1.0)),
    ("hard_sigmoid", -3.0, Bits(0.0)),
    ("hard_swish", 0.0, Bits(0.0)),
    ("hard_swish", -0.0, Bits(-0.0)),
    ("hard_swish", -INF, Bits(-0.0)),
    ("hard_swish", INF, Bits(INF)),
    ("hard_swish", 3.0, Bits(3.0)),
    ("hard_swish", 1e30, Bits(1e30)),
    ("hard_swish", -1e30, Bits(-0.0)),
    // ---- squared_relu / star_relu: x^2 overflows for x > 1.8e19
    ("squared_relu", 0.0, Bits(0.0)),
    ("squared_relu", -0.0, Bits(0.0)),
    ("squared_relu", -INF, Bits(0.0)),
    ("squared_relu", INF, Bits(INF)),
    ("squared_relu", 1e19, InBudget),
    ("squared_relu", 1e30, Bits(INF)),
    ("star_relu", 0.0, InBudget),
    ("star_relu", -0.0, InBudget),
    ("star_relu", -INF, InBudget),
    ("star_relu", INF, Bits(INF)),
    ("star_relu", -1e30, InBudget),
    ("star_relu", 1e30, Bits(INF)),
    // ---- gelu_sigmoid: x * sigmoid(1.702 x)
    ("gelu_sigmoid", 0.0, Bits(0.0)),
    ("gelu_sigmoid", -0.0, Bits(-0.0)),
    ("gelu_sigmoid", -INF, Bits(-0.0)),
    ("gelu_sigmoid", INF, Bits(INF)),
    ("gelu_sigmoid", -60.0, Finite),
    ("gelu_sigmoid", -1e30, Bits(-0.0)),
    ("gelu_sigmoid", 1e30, Bits(1e30)),
    ("gelu_sigmoid", f32::MAX, Bits(f32::MAX)),
    // ---- softsign: x / (1 + |x|), +-1 in the limit
    ("softsign", 0.0, Bits(0.0)),
    ("softsign", -0.0, Bits(-0.0)),
    ("softsign", -INF, Bits(-1.0)),
    ("softsign", INF, Bits(1.0)),
    ("softsign", 1e30, Bits(1.0)),
    ("softsign", -1e30, Bits(-1.0)),
    ("softsign", f32::MAX, Bits(1.0)),
];

/// Finite inputs at the ends of the f32 range that every op must handle (no NaN, no infinity
/// unless the exact value overflows, within budget): smallest subnormals, the largest subnormal,
/// `f32::MIN_POSITIVE`, `f32::MAX` and `f32::MIN`, both signs.
const EDGE_BITS: [u32; 6] = [
    0x0000_0001, // 2^-149
    0x0000_0002, // 2^-148
    0x0000_0003,
    0x007f_ffff, // largest subnormal
    0x0080_0000, // f32::MIN_POSITIVE
    0x7f7f_ffff, // f32::MAX
];

fn op(name: &str) -> &'static OpSpec {
    OpSpec::find(name).unwrap_or_else(|| panic!("op {name} is not in the catalogue"))
}

/// `None` if `y = op(x)` meets `expect`, else why not.
fn violation(op: &OpSpec, x: f32, y: f32, expect: Expect) -> Option<String> {
    let exact = (op.reference)(f64::from(x));
    let ulp = ulp_distance(y, exact);
    let in_budget = !y.is_nan() && ulp <= op.ulp_f32;
    let ok = match expect {
        Bits(b) => y.to_bits() == b.to_bits(),
        Finite => y.is_finite() && in_budget,
        InBudget => in_budget,
        PositiveSubnormal => y > 0.0 && y < f32::MIN_POSITIVE && in_budget,
    };
    let want = match expect {
        Bits(b) => format!("exactly {}", show(b)),
        Finite => format!("finite, within {} ULP of {exact:e}", op.ulp_f32),
        InBudget => format!("within {} ULP of {exact:e}", op.ulp_f32),
        PositiveSubnormal => format!("positive subnormal within {} ULP of {exact:e}", op.ulp_f32),
    };
    (!ok).then(|| format!("{} ({want}; {ulp} ULP from exact)", show(y)))
}

/// Runs `op(x)` on `k` as one element and inside a 67-element slice; every output is checked,
/// and a failure is reported once with the slice lengths where it occurs.
fn check(k: Kernels, op: &OpSpec, x: f32, expect: Expect, failures: &mut String) {
    let mut first = None;
    let mut where_ = Vec::new();
    for len in [1, 67] {
        let input = vec![x; len];
        let mut out = vec![0.0f32; len];
        (op.eval_f32)(k, &input, &mut out);
        let bad: Vec<usize> = (0..len)
            .filter(|&i| violation(op, x, out[i], expect).is_some())
            .collect();
        if let Some(&i) = bad.first() {
            first.get_or_insert_with(|| violation(op, x, out[i], expect).unwrap());
            where_.push(format!("{} of {len} elements", bad.len()));
        }
    }
    if let Some(why) = first {
        writeln!(
            failures,
            "{}({}) on {} = {why} [{}]",
            op.name,
            show(x),
            k.isa(),
            where_.join(", ")
        )
        .unwrap();
    }
}

fn run(cases: impl IntoIterator<Item = (&'static OpSpec, f32, Expect)>) {
    let cases: Vec<_> = cases.into_iter().collect();
    assert!(!cases.is_empty());
    let mut failures = String::new();
    for k in all_kernels() {
        for &(op, x, expect) in &cases {
            check(k, op, x, expect, &mut failures);
        }
    }
    assert!(failures.is_empty(), "special values fail:\n{failures}");
}

#[test]
fn nan_gives_nan() {
    for o in OPS {
        assert!(
            NAN_OPS.contains(&o.name),
            "op {} has no NaN row in tests/special_values.rs: add it to NAN_OPS",
            o.name
        );
    }
    // f32 NaNs come out with their own bits (signalling ones not quieted) on every ISA.
    run(NAN_OPS.iter().flat_map(|&name| {
        NANS.iter()
            .map(move |&b| (op(name), f32::from_bits(b), Bits(f32::from_bits(b))))
    }));
}

#[test]
fn signed_zeros() {
    for o in OPS {
        assert!(
            CASES
                .iter()
                .any(|&(name, x, _)| name == o.name && x == 0.0 && x.is_sign_negative()),
            "op {} has no -0 row in tests/special_values.rs",
            o.name
        );
    }
    run(CASES
        .iter()
        .filter(|c| c.1 == 0.0)
        .map(|&(name, x, e)| (op(name), x, e)));
}

#[test]
fn infinities() {
    for o in OPS {
        for inf in [INF, -INF] {
            assert!(
                CASES.iter().any(|&(name, x, _)| name == o.name && x == inf),
                "op {} has no {inf} row in tests/special_values.rs",
                o.name
            );
        }
    }
    run(CASES
        .iter()
        .filter(|c| c.1.is_infinite())
        .map(|&(name, x, e)| (op(name), x, e)));
}

#[test]
fn thresholds_and_huge_finite_inputs() {
    run(CASES
        .iter()
        .filter(|c| c.1.is_finite() && c.1 != 0.0)
        .map(|&(name, x, e)| (op(name), x, e)));
}

/// Every op of the catalogue at the ends of the f32 range, both signs.
#[test]
fn subnormals_min_positive_and_max() {
    run(OPS.iter().flat_map(|o| {
        EDGE_BITS.iter().flat_map(move |&b| {
            [
                (o, f32::from_bits(b), InBudget),
                (o, -f32::from_bits(b), InBudget),
            ]
        })
    }));
}

/// The table itself: only ops of the catalogue, no input twice for the same op.
#[test]
fn table_is_consistent() {
    for (i, &(name, x, _)) in CASES.iter().enumerate() {
        let _ = op(name);
        assert!(
            !CASES[..i]
                .iter()
                .any(|&(n, y, _)| n == name && y.to_bits() == x.to_bits()),
            "{name}({x}) appears twice"
        );
    }
    assert_eq!(
        f32::from_bits(EDGE_BITS[5]),
        f32::MAX,
        "EDGE_BITS must end at f32::MAX"
    );
}
