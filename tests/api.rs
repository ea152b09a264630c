//! The public API around the kernels: ISA detection, naming and parsing, `Kernels`
//! construction, the free functions against `Kernels::global()`, and swish's parameter.

mod common;

use std::collections::HashSet;

use common::{all_kernels, free_fns, inplace_fn, show};
use simd_activations::catalogue::{OPS, OpSpec};
use simd_activations::ulp::ulp_distance;
use simd_activations::{ISA_ENV_VAR, Isa, IsaUnavailable, Kernels, UnknownIsa, reference};

/// `SIMD_ACTIVATIONS_EXPECT_ISA=NAME`: the run fails unless `Isa::detect()` is `NAME`. CI sets it
/// for its emulated runs, so a run meant for the scalar fallback (an x86 CPU without AVX2) or for
/// NEON cannot pass while testing something else.
#[test]
fn detected_isa_is_the_expected_one() {
    let Ok(name) = std::env::var("SIMD_ACTIVATIONS_EXPECT_ISA") else {
        return;
    };
    let want: Isa = name
        .parse()
        .expect("SIMD_ACTIVATIONS_EXPECT_ISA names an ISA");
    assert_eq!(Isa::detect(), want, "available: {:?}", Isa::available());
    common::note(&format!("NOTE: detected ISA is {want}, as expected"));
}

#[test]
fn available_isas() {
    let available = Isa::available();
    assert_eq!(available.first(), Some(&Isa::Scalar), "{available:?}");
    assert!(available.contains(&Isa::detect()), "{available:?}");
    assert_eq!(
        available.last(),
        Some(&Isa::detect()),
        "detect() is the widest"
    );
    assert!(
        available.windows(2).all(|w| w[0] < w[1]),
        "sorted, no duplicates: {available:?}"
    );
    for isa in Isa::ALL {
        assert_eq!(isa.is_supported(), available.contains(&isa), "{isa}");
    }
    // the architecture decides which SIMD ISAs can exist at all
    if cfg!(target_arch = "x86_64") {
        assert!(!Isa::Neon.is_supported());
    }
    if cfg!(target_arch = "aarch64") {
        assert!(!Isa::Avx2.is_supported() && !Isa::Avx512.is_supported());
        assert!(
            Isa::Neon.is_supported(),
            "every AArch64 CPU has Advanced SIMD"
        );
    }
    assert_eq!(Kernels::detect().isa(), Isa::detect());
}

#[test]
fn names_round_trip_and_parse_leniently() {
    let names: HashSet<&str> = Isa::ALL.iter().map(|i| i.name()).collect();
    assert_eq!(names.len(), Isa::ALL.len(), "names are distinct");
    for isa in Isa::ALL {
        assert_eq!(isa.name().parse::<Isa>(), Ok(isa));
        assert_eq!(isa.to_string(), isa.name());
        assert_eq!(isa.name().to_uppercase().parse::<Isa>(), Ok(isa));
        assert_eq!(format!("  {}\n", isa.name()).parse::<Isa>(), Ok(isa));
        assert!(isa.lanes().is_power_of_two());
    }
    assert_eq!(Isa::Scalar.lanes(), 1);
    assert_eq!(Isa::Avx2.lanes(), 8);
    assert_eq!(Isa::Avx512.lanes(), 16);
    assert_eq!(Isa::Neon.lanes(), 4);
}

#[test]
fn parse_errors_name_the_input_and_the_choices() {
    for bad in [
        "",
        " ",
        "avx",
        "avx-512",
        "AVX512F",
        "sse4",
        "scalar2",
        "neon,avx2",
        "bogus",
    ] {
        let err: UnknownIsa = bad.parse::<Isa>().expect_err(bad);
        assert_eq!(err, UnknownIsa(bad.to_string()));
        let msg = err.to_string();
        assert!(msg.contains(&format!("{bad:?}")), "{msg}");
        for isa in Isa::ALL {
            assert!(msg.contains(isa.name()), "{msg} does not list {isa}");
        }
    }
}

#[test]
fn kernels_new_for_every_isa() {
    let mut unavailable = 0;
    for isa in Isa::ALL {
        match Kernels::new(isa) {
            Ok(k) => {
                assert!(isa.is_supported(), "{isa} built but is not supported");
                assert_eq!(k.isa(), isa);
            }
            Err(e) => {
                unavailable += 1;
                assert!(
                    !isa.is_supported(),
                    "{isa} is supported but Kernels::new failed: {e}"
                );
                assert_eq!(e, IsaUnavailable { isa });
                let msg = e.to_string();
                assert!(msg.contains(isa.name()), "{msg} does not name {isa}");
                // and lists what the CPU has instead
                for have in Isa::available() {
                    assert!(msg.contains(have.name()), "{msg} does not list {have}");
                }
            }
        }
    }
    // every architecture lacks the other's SIMD ISAs, so the error path always runs
    assert!(unavailable > 0);
}

/// `Kernels::global()` is the ISA named by `SIMD_ACTIVATIONS_ISA` when that is set and
/// available, else the detected one; here the variable is whatever the test run inherited.
#[test]
fn global_isa_follows_the_environment() {
    let expected = std::env::var(ISA_ENV_VAR)
        .ok()
        .and_then(|v| v.parse::<Isa>().ok())
        .filter(|isa| isa.is_supported())
        .unwrap_or_else(Isa::detect);
    assert_eq!(Kernels::global().isa(), expected);
}

/// Inputs for the bitwise comparisons: the op's sweep interval plus special values.
fn inputs(op: &OpSpec) -> Vec<f32> {
    let (lo, hi) = op.sweep;
    let n = 10_000;
    let mut x: Vec<f32> = (0..n)
        .map(|i| (lo + (hi - lo) * i as f64 / (n - 1) as f64) as f32)
        .collect();
    x.extend([
        0.0,
        -0.0,
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MAX,
        f32::MIN,
        1e-45,
        -1e30,
    ]);
    x
}

/// The free functions (in place and out of place) give the same bits as `Kernels::global()`'s
/// methods and the catalogue's `eval_f32` on it.
#[test]
fn free_functions_equal_global_kernels_bitwise() {
    let global = Kernels::global();
    let mut failures = Vec::new();
    for op in OPS {
        let x = inputs(op);
        let mut want = vec![0.0; x.len()];
        (op.eval_f32)(global, &x, &mut want);
        let free = free_fns(op.name);
        let mut a = vec![0.0; x.len()];
        (free.out_of_place)(&x, &mut a);
        let mut b = x.clone();
        (free.inplace)(&mut b);
        let mut c = x.clone();
        inplace_fn(op.name)(global, &mut c);
        for (what, got) in [
            ("simd_activations::NAME", &a),
            ("simd_activations::NAME_inplace", &b),
            ("Kernels::global().NAME_inplace", &c),
        ] {
            if let Some(i) = common::first_bit_difference(got, &want) {
                failures.push(format!(
                    "{} ({what}) on {}: x = {} gives {}, Kernels::global().{}() gives {}",
                    op.name,
                    global.isa(),
                    show(x[i]),
                    show(got[i]),
                    op.name,
                    show(want[i])
                ));
            }
        }
    }
    // swish with a non-default beta too
    let x = inputs(OpSpec::find("swish").unwrap());
    let (mut a, mut b) = (vec![0.0; x.len()], x.clone());
    simd_activations::swish(&x, 1.702, &mut a);
    global.swish_inplace(&mut b, 1.702);
    if let Some(i) = common::first_bit_difference(&a, &b) {
        failures.push(format!(
            "swish(beta = 1.702): free and global differ at x = {}",
            show(x[i])
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `swish(x, 1)` is `silu(x)` within 2 ULP on every ISA (over silu's sweep interval and a
/// whole-range sample).
#[test]
fn swish_with_beta_one_is_silu() {
    let silu = OpSpec::find("silu").unwrap();
    let mut x: Vec<f32> = inputs(silu);
    x.extend(
        (0..=u32::MAX / 10007)
            .map(|i| f32::from_bits(i * 10007))
            .filter(|v| v.is_finite()),
    );
    let mut failures = Vec::new();
    for k in all_kernels() {
        let (mut s, mut w) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        k.silu(&x, &mut s);
        k.swish(&x, 1.0, &mut w);
        let bad: Vec<usize> = (0..x.len())
            .filter(|&i| ulp_distance(w[i], f64::from(s[i])) > 2.0)
            .collect();
        if let Some(&i) = bad.first() {
            failures.push(format!(
                "{}: {} inputs where swish(x, 1) and silu(x) differ by more than 2 ULP, e.g. x = {}: swish {}, silu {}",
                k.isa(),
                bad.len(),
                show(x[i]),
                show(w[i]),
                show(s[i])
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// swish with other slopes against `reference::swish` within the swish budget, 400 001 inputs
/// evenly spread over [-120, 120], every ISA.
#[test]
fn swish_with_other_betas_within_budget() {
    let budget = OpSpec::find("swish").unwrap().ulp_f32;
    let n = 400_001;
    let x: Vec<f32> = (0..n)
        .map(|i| (-120.0 + 240.0 * i as f64 / (n - 1) as f64) as f32)
        .collect();
    let mut failures = Vec::new();
    for k in all_kernels() {
        for beta in [0.5f32, 1.702, 2.0, -1.0, 0.0] {
            let mut y = vec![0.0; n];
            k.swish(&x, beta, &mut y);
            let err =
                |i: usize| ulp_distance(y[i], reference::swish(f64::from(x[i]), f64::from(beta)));
            let over = (0..n).filter(|&i| err(i) > budget).count();
            if over > 0 {
                let worst = (0..n).max_by(|&i, &j| err(i).total_cmp(&err(j))).unwrap();
                failures.push(format!(
                    "{} beta = {beta}: {over} of {n} inputs over {budget} ULP; worst {:.3} ULP at x = {} -> {} (exact {:e})",
                    k.isa(),
                    err(worst),
                    show(x[worst]),
                    show(y[worst]),
                    reference::swish(f64::from(x[worst]), f64::from(beta))
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
