//! Cross-ISA bitwise identity: AVX2, AVX-512, NEON and the scalar fallback must give the same
//! bits for every input.
//!
//! RE-BLESS WHEN KERNELS CHANGE: `tests/golden/digests.txt` pins the exact output bits of the
//! SIMD ISAs, so any change to a kernel (src/math, src/ops) or to kernels/catalogue.toml
//! (constants, cores, sweep intervals) changes it. After checking accuracy, regenerate it on an
//! x86-64 machine with AVX2 (or any SIMD ISA) with
//! `SIMD_ACTIVATIONS_BLESS=1 cargo test --release --test identity` and commit it; runs on
//! AVX-512 and NEON machines are then checked against it.
//!
//! Each op × element type runs on two fixed input sets (every 4099th f32 bit pattern, NaNs and
//! infinities included, special values, and 4096 values spread over the op's sweep interval,
//! rounded to the element type; and a small one, every 65537th pattern and 256 values, which
//! the scalar path checks alone in emulated runs; gated ops pair them with fixed ups, backward
//! passes with the same values as gradients; the ops with slice parameters, `SLICES_OPS`, run
//! with fixed parameters and hash all their outputs, parameter gradients included); the
//! output is hashed with FNV-1a 64 over the little-endian bytes of each output's bits widened to
//! f32, NaNs as they come, and compared with the golden digest. The scalar fallback uses true fused
//! multiply-adds too, so it is held to the same digests.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use common::{note, simd_isas};
use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B, RATIONAL_LEAKY_P};
use simd_activations::catalogue::{BackwardSpec, GATED, GatedSpec, OPS, OpSpec};
use simd_activations::{Element, Isa, Kernels, bf16, f16};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/digests.txt");
const BLESS_VAR: &str = "SIMD_ACTIVATIONS_BLESS";
/// With this variable set to a directory, every case's inputs and output bits are written there.
const DUMP_VAR: &str = "SIMD_ACTIVATIONS_DUMP";

fn blessing() -> bool {
    std::env::var(BLESS_VAR).is_ok_and(|v| v == "1")
}

/// Special inputs added to every op's set.
#[rustfmt::skip]
const SPECIAL_BITS: &[u32] = &[
    0x0000_0000, 0x8000_0000, // ±0
    0x7f80_0000, 0xff80_0000, // ±inf
    0x7fc0_0000, 0xffc0_0000, 0x7f80_0001, 0x7fc1_2345, // NaNs
    0x0000_0001, 0x8000_0001, 0x007f_ffff, 0x807f_ffff, // subnormals
    0x0080_0000, 0x8080_0000, // ±f32::MIN_POSITIVE
    0x7f7f_ffff, 0xff7f_ffff, // ±f32::MAX
    0x3f80_0000, 0xbf80_0000, // ±1
    0x42b1_7218, 0x42b1_7217, 0x42b2_0000, // around ln(f32::MAX), 89
    0xc2cf_f1b5, 0xc2d0_0000, 0xc2d1_0000, // around exp's underflow, -104, -104.5
    0x4111_999a, 0xc111_999a, // ±9.1 (tanh saturation)
    0x3f60_0000, 0xbf60_0000, // ±0.875 (tanh and erf splits)
    0x407b_851f, 0xc07b_851f, // ±3.93 (erf saturation)
    0xc168_0000, 0xc140_0000, // -14.5, -12
    0xc2f0_0000, 0x42ae_0000, // -120, 87
    0x5368_d4a5, 0xd368_d4a5, // ±1e12
    0x7149_f2ca, 0xf149_f2ca, // ±1e30
];

/// The two fixed input sets: `Full` (every 4099th bit pattern, 4096 sweep values) and `Small`
/// (every 65537th, 256 sweep values), which the one-lane scalar path checks alone in emulated
/// runs (`SIMD_ACTIVATIONS_TEST_THIN` > 1); both hold the special values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InputSet {
    Full,
    Small,
}

impl InputSet {
    /// The sets this run checks on `isa`: both, or only `Small` for `Scalar` in a reduced run.
    fn for_isa(isa: Isa) -> Vec<InputSet> {
        if common::thin() > 1 && isa == Isa::Scalar {
            vec![InputSet::Small]
        } else {
            vec![InputSet::Full, InputSet::Small]
        }
    }
}

/// The fixed input set of an op with dense interval `sweep`.
fn inputs(set: InputSet, sweep: (f64, f64)) -> Vec<f32> {
    let (stride, n) = match set {
        InputSet::Full => (4099, 4096),
        InputSet::Small => (65537, 256),
    };
    let mut x: Vec<f32> = (0..=u32::MAX / stride)
        .map(|i| f32::from_bits(i * stride))
        .collect();
    x.extend(SPECIAL_BITS.iter().map(|&b| f32::from_bits(b)));
    let (lo, hi) = sweep;
    x.extend((0..n).map(|i| (lo + (hi - lo) * f64::from(i) / f64::from(n - 1)) as f32));
    x
}

/// The ups paired with the gates of `inputs`: mostly on [-8, 8], with the special values.
fn ups(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| match i % 97 {
            0 => f32::from_bits(SPECIAL_BITS[(i / 97) % SPECIAL_BITS.len()]),
            _ => ((i as f32 * 0.618_034).fract() - 0.5) * 16.0,
        })
        .collect()
}

/// The f32 inputs of one case: the gates (or unary inputs) and, for gated ops, the ups.
type Inputs = (Vec<f32>, Option<Vec<f32>>);

/// The [`Inputs`] of `case`.
fn case_inputs(case: &Case) -> Inputs {
    match case.op {
        Op::Unary(op) => (inputs(case.set, op.sweep), None),
        Op::Gated(op) => {
            let g = inputs(case.set, op.sweep);
            let u = ups(g.len());
            (g, Some(u))
        }
        Op::Backward(op, _) => {
            let x = inputs(case.set, op.sweep);
            let grad = ups(x.len());
            (x, Some(grad))
        }
        Op::Slices(op) => {
            let x = inputs(case.set, op.sweep);
            let grad = ups(x.len());
            (x, Some(grad))
        }
    }
}

/// An op whose parameters are slices (not in the catalogue), with its fixed parameters: its
/// output bits from `(x, grad)` in one element type, every output in order.
struct SlicesOp {
    name: &'static str,
    sweep: (f64, f64),
    f32: fn(Kernels, &[f32], &[f32]) -> Vec<u32>,
    bf16: fn(Kernels, &[bf16], &[bf16]) -> Vec<u32>,
    f16: fn(Kernels, &[f16], &[f16]) -> Vec<u32>,
}

/// Output bits of `v`.
fn out_bits<T: Element>(v: &[T]) -> Vec<u32> {
    v.iter().map(|e| e.to_f32().to_bits()).collect()
}

/// `prelu_backward` with 7 channels (repeated to the accumulator row) and one shared slope:
/// `grad_in` and `grad_alpha` of both, the input cut to whole rows.
fn prelu_backward_bits<T: Element>(k: Kernels, x: &[T], g: &[T]) -> Vec<u32> {
    let n = x.len() - x.len() % 7;
    let (x, g) = (&x[..n], &g[..n]);
    let alpha: Vec<T> = (0..7)
        .map(|c| T::from_f32(0.01 + 0.37 * c as f32 - 0.2 * (c % 2) as f32))
        .collect();
    let mut bits = Vec::new();
    for alpha in [&alpha[..], &alpha[1..2]] {
        let mut grad_in = vec![T::from_f32(0.0); n];
        let mut grad_alpha = vec![T::from_f32(0.0); alpha.len()];
        k.prelu_backward(x, g, alpha, 7, &mut grad_in, &mut grad_alpha);
        bits.extend(out_bits(&grad_in));
        bits.extend(out_bits(&grad_alpha));
    }
    bits
}

/// The slice-parameter ops with golden digests.
const SLICES_OPS: &[SlicesOp] = &[
    SlicesOp {
        name: "prelu_backward",
        sweep: (-8.0, 8.0),
        f32: prelu_backward_bits::<f32>,
        bf16: prelu_backward_bits::<bf16>,
        f16: prelu_backward_bits::<f16>,
    },
    SlicesOp {
        name: "rational_backward",
        sweep: (-8.0, 8.0),
        f32: rational_backward_bits::<f32>,
        bf16: rational_backward_bits::<bf16>,
        f16: rational_backward_bits::<f16>,
    },
];

/// `rational_backward` with the default (5, 4) coefficients and with degrees (8, 8) (a
/// trailing zero in the numerator): `grad_in` and both coefficient gradients of each.
fn rational_backward_bits<T: Element>(k: Kernels, x: &[T], g: &[T]) -> Vec<u32> {
    let wide_a = [0.3, -1.25, 0.5, 0.125, -0.0625, 0.02, 0.004, -0.001, 0.0];
    let wide_b = [0.5, -0.25, 0.75, 0.01, -0.02, 0.003, 0.0005, -0.0001];
    let mut bits = Vec::new();
    for (a, b) in [
        (&RATIONAL_LEAKY_P[..], &RATIONAL_LEAKY_B[..]),
        (&wide_a[..], &wide_b[..]),
    ] {
        let mut grad_in = vec![T::from_f32(0.0); x.len()];
        let (mut ga, mut gb) = (vec![0.0_f32; a.len()], vec![0.0_f32; b.len()]);
        k.rational_backward(x, g, a, b, &mut grad_in, (&mut ga, &mut gb));
        bits.extend(out_bits(&grad_in));
        bits.extend(out_bits(&ga));
        bits.extend(out_bits(&gb));
    }
    bits
}

/// The binary kernels of a case (gated: gate, up; backward: x, grad_out), one per element type.
struct Binary {
    f32: fn(Kernels, &[f32], &[f32], &mut [f32]),
    bf16: fn(Kernels, &[bf16], &[bf16], &mut [bf16]),
    f16: fn(Kernels, &[f16], &[f16], &mut [f16]),
}

/// Output bits of one case: op × element type × input set, on `k`.
fn case_bits(k: Kernels, case: &Case, inputs: &Inputs) -> Vec<u32> {
    fn run<T: Element>(x: &[f32], f: impl Fn(&[T], &mut [T])) -> Vec<u32> {
        let x: Vec<T> = x.iter().map(|&v| T::from_f32(v)).collect();
        let mut y = x.clone();
        f(&x, &mut y);
        y.iter().map(|v| v.to_f32().to_bits()).collect()
    }
    let (x, ups) = inputs;
    match (case.op, ups) {
        (Op::Unary(op), _) => match case.dtype {
            "f32" => run::<f32>(x, |x, y| (op.eval_f32)(k, x, y)),
            "bf16" => run::<bf16>(x, |x, y| (op.eval_bf16)(k, x, y)),
            _ => run::<f16>(x, |x, y| (op.eval_f16)(k, x, y)),
        },
        (Op::Gated(op), Some(u)) => {
            let f = Binary {
                f32: op.eval_f32,
                bf16: op.eval_bf16,
                f16: op.eval_f16,
            };
            binary_bits(k, case.dtype, &f, x, u)
        }
        (Op::Backward(_, b), Some(g)) => {
            let f = Binary {
                f32: b.eval_f32,
                bf16: b.eval_bf16,
                f16: b.eval_f16,
            };
            binary_bits(k, case.dtype, &f, x, g)
        }
        (Op::Slices(op), Some(g)) => {
            fn run<T: Element>(
                k: Kernels,
                (x, g): (&[f32], &[f32]),
                f: fn(Kernels, &[T], &[T]) -> Vec<u32>,
            ) -> Vec<u32> {
                let x: Vec<T> = x.iter().map(|&v| T::from_f32(v)).collect();
                let g: Vec<T> = g.iter().map(|&v| T::from_f32(v)).collect();
                f(k, &x, &g)
            }
            match case.dtype {
                "f32" => run(k, (x, g), op.f32),
                "bf16" => run(k, (x, g), op.bf16),
                _ => run(k, (x, g), op.f16),
            }
        }
        (_, None) => unreachable!("gated and backward cases have a second operand"),
    }
}

/// Output bits of a binary kernel on `(a, b)` in element type `dtype`.
fn binary_bits(k: Kernels, dtype: &str, f: &Binary, a: &[f32], b: &[f32]) -> Vec<u32> {
    fn run<T: Element>(a: &[f32], b: &[f32], f: impl Fn(&[T], &[T], &mut [T])) -> Vec<u32> {
        let a: Vec<T> = a.iter().map(|&v| T::from_f32(v)).collect();
        let b: Vec<T> = b.iter().map(|&v| T::from_f32(v)).collect();
        let mut y = a.clone();
        f(&a, &b, &mut y);
        y.iter().map(|v| v.to_f32().to_bits()).collect()
    }
    match dtype {
        "f32" => run::<f32>(a, b, |a, b, y| (f.f32)(k, a, b, y)),
        "bf16" => run::<bf16>(a, b, |a, b, y| (f.bf16)(k, a, b, y)),
        _ => run::<f16>(a, b, |a, b, y| (f.f16)(k, a, b, y)),
    }
}

/// An op of the catalogue.
#[derive(Clone, Copy)]
enum Op {
    Unary(&'static OpSpec),
    Gated(&'static GatedSpec),
    Backward(&'static OpSpec, &'static BackwardSpec),
    Slices(&'static SlicesOp),
}

/// One digest: an op of the catalogue in one element type on one input set.
#[derive(Clone, Copy)]
struct Case {
    op: Op,
    dtype: &'static str,
    set: InputSet,
}

impl Case {
    /// `op/dtype` for the full set, `op/dtype/small` for the small one.
    fn key(&self) -> String {
        let name = match self.op {
            Op::Unary(op) => op.name.to_string(),
            Op::Gated(op) => op.name.to_string(),
            Op::Backward(op, _) => format!("{}_backward", op.name),
            Op::Slices(op) => op.name.to_string(),
        };
        match self.set {
            InputSet::Full => format!("{name}/{}", self.dtype),
            InputSet::Small => format!("{name}/{}/small", self.dtype),
        }
    }
}

/// Every op × element type × input set checked on `isa`.
fn cases(isa: Isa) -> Vec<Case> {
    const TYPES: [&str; 3] = ["f32", "bf16", "f16"];
    let backward = OPS
        .iter()
        .filter_map(|op| op.backward.as_ref().map(|b| Op::Backward(op, b)));
    let ops = OPS
        .iter()
        .map(Op::Unary)
        .chain(GATED.iter().map(Op::Gated))
        .chain(backward)
        .chain(SLICES_OPS.iter().map(Op::Slices));
    let mut cases = Vec::new();
    for op in ops {
        for dtype in TYPES {
            for set in InputSet::for_isa(isa) {
                cases.push(Case { op, dtype, set });
            }
        }
    }
    cases
}

/// FNV-1a 64 of a byte stream.
fn fnv1a64_bytes(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// FNV-1a 64 over the little-endian bytes of each value's `u32` bits.
fn fnv1a64(values: &[f32]) -> u64 {
    fnv1a64_bits(&values.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
}

/// FNV-1a 64 over the little-endian bytes of `u32` values.
fn fnv1a64_bits(bits: &[u32]) -> u64 {
    fnv1a64_bytes(bits.iter().flat_map(|b| b.to_le_bytes()))
}

fn digests(isa: Isa) -> BTreeMap<String, u64> {
    let k = Kernels::new(isa).expect("an available ISA");
    let dump = std::env::var_os(DUMP_VAR).map(std::path::PathBuf::from);
    cases(isa)
        .iter()
        .map(|c| {
            let inputs = case_inputs(c);
            let bits = case_bits(k, c, &inputs);
            if let Some(dir) = &dump {
                dump_case(dir, isa, c, &inputs, &bits);
            }
            (c.key(), fnv1a64_bits(&bits))
        })
        .collect()
}

/// Writes the inputs and output bits of one case to `DIR/OP-TYPE-ISA.txt`, one line
/// `gate_bits up_bits out_bits` (hex) per input, for diffing two machines' files.
fn dump_case(dir: &std::path::Path, isa: Isa, case: &Case, inputs: &Inputs, bits: &[u32]) {
    let (gates, ups) = inputs;
    let mut text = String::new();
    for (i, out) in bits.iter().enumerate() {
        // Ops with slice parameters write more outputs than inputs (their gradients): 0 there.
        let up = ups
            .as_ref()
            .and_then(|u| u.get(i))
            .map_or(0, |u| u.to_bits());
        let gate = gates.get(i).map_or(0, |g| g.to_bits());
        writeln!(text, "{gate:08x} {up:08x} {out:08x}").unwrap();
    }
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join(format!(
        "{}-{}.txt",
        case.key().replace('/', "-"),
        isa.name()
    ));
    std::fs::write(&file, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
}

fn read_golden() -> BTreeMap<String, u64> {
    let text = std::fs::read_to_string(GOLDEN).unwrap_or_else(|e| {
        panic!("cannot read {GOLDEN}: {e}; create it with {BLESS_VAR}=1 cargo test --release --test identity")
    });
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (op, digest) = l
                .split_once(' ')
                .unwrap_or_else(|| panic!("{GOLDEN}: bad line {l:?} (expected `op digest`)"));
            let digest = u64::from_str_radix(digest.trim(), 16)
                .unwrap_or_else(|e| panic!("{GOLDEN}: bad digest in {l:?}: {e}"));
            (op.to_string(), digest)
        })
        .collect()
}

fn write_golden(isa: Isa, digests: &BTreeMap<String, u64>) {
    let mut text = format!(
        "# Re-bless whenever a kernel or kernels/catalogue.toml changes: {BLESS_VAR}=1 cargo test --release --test identity\n\
         # FNV-1a 64 over the output bits of each op and element type (tests/identity.rs: every 4099th f32 \
         bit pattern, {} special values, 4096 values over the op's sweep interval, rounded to the element \
         type; /small: every 65537th pattern, the special values and 256 sweep values; gated ops pair \
         them with fixed ups); blessed on {isa}; every ISA must match.\n",
        SPECIAL_BITS.len()
    );
    for (key, digest) in digests {
        writeln!(text, "{key} {digest:016x}").unwrap();
    }
    std::fs::write(GOLDEN, text).unwrap_or_else(|e| panic!("cannot write {GOLDEN}: {e}"));
}

/// Differences between the digests of `isa` and the golden file (missing or extra ops too).
fn compare_with_golden(isa: Isa, got: &BTreeMap<String, u64>) -> Vec<String> {
    let golden = read_golden();
    let mut diffs = Vec::new();
    for (key, &digest) in got {
        match golden.get(key) {
            None => diffs.push(format!("{key}: no golden digest (new op? re-bless)")),
            Some(&want) if want != digest => diffs.push(format!(
                "{key} on {isa}: digest {digest:016x}, golden {want:016x}"
            )),
            Some(_) => {}
        }
    }
    let small_only = !InputSet::for_isa(isa).contains(&InputSet::Full);
    for key in golden
        .keys()
        .filter(|k| !got.contains_key(*k) && (!small_only || k.ends_with("/small")))
    {
        diffs.push(format!(
            "{key}: golden digest for an op the catalogue does not have"
        ));
    }
    diffs
}

fn failure_help() -> String {
    format!(
        "If the kernels or kernels/catalogue.toml changed on purpose, re-bless on an AVX2 machine with \
         {BLESS_VAR}=1 cargo test --release --test identity (after the accuracy tests pass). \
         Otherwise the SIMD ISAs are no longer bitwise identical."
    )
}

/// Every SIMD ISA of this CPU matches the golden digests (or, with `SIMD_ACTIVATIONS_BLESS=1`,
/// they all agree and the file is rewritten from them).
#[test]
fn simd_isas_match_golden_digests() {
    let isas = simd_isas();
    let missing: Vec<&str> = [Isa::Avx2, Isa::Avx512, Isa::Neon]
        .into_iter()
        .filter(|isa| !isas.contains(isa))
        .map(Isa::name)
        .collect();
    if isas.len() < 2 {
        note(&format!(
            "NOTE (identity): SIMD ISAs here: [{}]; {} could not be run on this CPU: their bitwise \
             identity rests on the golden digests checked on machines that have them",
            isas.iter().map(|i| i.name()).collect::<Vec<_>>().join(", "),
            missing.join(", ")
        ));
    }
    let Some(&first) = isas.first() else {
        assert!(
            !blessing(),
            "cannot bless golden digests without a SIMD ISA to cross-check"
        );
        note("SKIPPED (identity): no SIMD ISA on this CPU; golden digests not compared");
        return;
    };
    let all: Vec<(Isa, BTreeMap<String, u64>)> =
        isas.iter().map(|&isa| (isa, digests(isa))).collect();
    let mut diffs = Vec::new();
    // the ISAs of this machine against each other, case by case
    for (isa, d) in &all[1..] {
        for (key, digest) in d {
            if all[0].1[key] != *digest {
                diffs.push(format!("{key} differs between {first} and {isa}"));
            }
        }
    }
    if blessing() {
        assert!(
            common::thin() == 1,
            "not blessing in a reduced run ({}): it would drop the full set's digests",
            common::TEST_THIN_VAR
        );
        assert!(
            diffs.is_empty(),
            "not blessing: the SIMD ISAs disagree:\n{}",
            diffs.join("\n")
        );
        write_golden(first, &all[0].1);
        note(&format!("BLESSED (identity): wrote {GOLDEN} from {first}"));
        return;
    }
    for (isa, d) in &all {
        diffs.extend(compare_with_golden(*isa, d));
    }
    assert!(diffs.is_empty(), "{}\n{}", diffs.join("\n"), failure_help());
}

/// AVX-512 runs the digest comparison where the CPU has it (so a run on such a machine cannot
/// silently skip it).
#[test]
fn avx512_matches_golden_digests() {
    if !Isa::Avx512.is_supported() {
        note("SKIPPED: AVX-512 (F/BW/DQ/VL) not available on this CPU: digest comparison not run");
        return;
    }
    if blessing() {
        note(
            "avx512: bless mode; simd_isas_match_golden_digests checks AVX-512 against the other ISAs",
        );
        return;
    }
    let diffs = compare_with_golden(Isa::Avx512, &digests(Isa::Avx512));
    assert!(diffs.is_empty(), "{}\n{}", diffs.join("\n"), failure_help());
}

/// The scalar fallback (one lane, true fused multiply-adds) gives the same bits as well.
#[test]
fn scalar_matches_golden_digests() {
    if !common::test_isas().contains(&Isa::Scalar) {
        note("SKIPPED (identity): scalar not under test here (SIMD_ACTIVATIONS_TEST_ISAS)");
        return;
    }
    if blessing() {
        note("scalar: bless mode; compared after the golden file is rewritten");
        return;
    }
    let diffs = compare_with_golden(Isa::Scalar, &digests(Isa::Scalar));
    assert!(diffs.is_empty(), "{}\n{}", diffs.join("\n"), failure_help());
}

/// The digest is FNV-1a 64 as published (its test vectors), over little-endian bytes, and tells
/// apart the bits of NaNs and signed zeros.
#[test]
fn digest_is_fnv1a64() {
    assert_eq!(fnv1a64_bytes(*b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64_bytes(*b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a64_bytes(*b"foobar"), 0x8594_4171_f739_67e8);
    assert_eq!(fnv1a64(&[1.0]), fnv1a64_bytes([0x00, 0x00, 0x80, 0x3f]));
    assert_ne!(fnv1a64(&[f32::NAN]), fnv1a64(&[-f32::NAN]));
    assert_ne!(fnv1a64(&[0.0]), fnv1a64(&[-0.0]));
}
