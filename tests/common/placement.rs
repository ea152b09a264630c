//! Every elementwise loop with its streams placed at chosen offsets modulo 4 KiB from each
//! other, so that under `BlockOrder::AliasAware` the whole blocks run last to first (every
//! destination less than 2 KiB after every source) or first to last (after more than 2 KiB),
//! and under `BlockOrder::Forward` first to last both times: each output must have the bits of
//! the same op called on each element alone (a one-element slice has no whole block, so that
//! reference does not depend on the order).

use std::fmt::Write as _;
use std::ops::RangeInclusive;

use simd_activations::Kernels;
use simd_activations::catalogue::{GATED, OPS};

use super::{all_kernels, first_bit_difference, scrambled_inputs as inputs};

/// Elements per stream: whole blocks of every ISA plus a partial head and tail.
const LEN: usize = 1000;
/// The sources start this many bytes past a 4 KiB boundary (a partial head on every ISA).
const SOURCE_SKEW: usize = 12;
/// How far past its source's offset, modulo 4 KiB, each destination starts: less than 2 KiB
/// (the alias-aware order runs the loop backward) and more (forward).
const SHIFTS: [usize; 6] = [4, 64, 2044, 2052, 3072, 4092];
/// Region per stream, in f32 elements: 4 KiB aligned, room for the skew and the largest shift.
const REGION: usize = (LEN * 4 / 4096 + 3) * 1024;

/// Streams of `LEN` elements in one arena: `offsets[k]` bytes past the 4 KiB boundary of
/// region `k`, each filled from `fill[k]` (destinations with a sentinel NaN).
struct Arena {
    data: Vec<f32>,
    starts: Vec<usize>,
}

impl Arena {
    fn new(fill: &[Vec<f32>], offsets: &[usize]) -> Arena {
        let mut data = vec![0.0_f32; REGION * (fill.len() + 1)];
        let base = data.as_ptr().align_offset(4096);
        let starts: Vec<usize> = offsets
            .iter()
            .enumerate()
            .map(|(k, &off)| base + k * REGION + off / 4)
            .collect();
        for (&s, values) in starts.iter().zip(fill) {
            data[s..s + LEN].copy_from_slice(values);
        }
        Arena { data, starts }
    }

    /// The streams as disjoint mutable slices, in order.
    fn streams(&mut self) -> Vec<&mut [f32]> {
        let mut rest = &mut self.data[..];
        let mut taken = 0;
        let mut out = Vec::new();
        for &s in &self.starts {
            let (_, tail) = rest.split_at_mut(s - taken);
            let (stream, after) = tail.split_at_mut(LEN);
            out.push(stream);
            rest = after;
            taken = s + LEN;
        }
        out
    }
}

/// Whether `got` differs from `want` in any bit.
fn differs(got: &[f32], want: &[f32]) -> bool {
    first_bit_difference(got, want).is_some()
}

/// `sources` source streams then `dests` destinations: the byte offsets of one placement.
fn offsets(sources: usize, dests: usize, shift: usize) -> Vec<usize> {
    (0..sources)
        .map(|_| SOURCE_SKEW)
        .chain((0..dests).map(|_| (SOURCE_SKEW + shift) % 4096))
        .collect()
}

/// Runs every unary, unary backward, gated and gated backward op of the catalogue on every ISA
/// at every placement of `SHIFTS`; returns one line per mismatch (at most 40).
pub fn check_every_loop_at_every_placement() -> String {
    let mut failures = String::new();
    let mut fail = |msg: String| {
        if failures.lines().count() < 40 {
            writeln!(failures, "{msg}").unwrap();
        }
    };
    let dest = vec![f32::NAN; LEN];
    for k in all_kernels() {
        let isa = k.isa();
        for op in OPS {
            let x = inputs(LEN, op.sweep.0, op.sweep.1, 0);
            let g = inputs(LEN, -1.0, 1.0, 3);
            let want = each(|i, y| (op.eval_f32)(k, &x[i], y));
            let want_back = (op.backward.as_ref())
                .map(|b| each(|i, y| (b.eval_f32)(k, &x[i.clone()], &g[i], y)));
            for shift in SHIFTS {
                let mut a = Arena::new(&[x.clone(), dest.clone()], &offsets(1, 1, shift));
                let [src, out] = <[_; 2]>::try_from(a.streams()).unwrap();
                (op.eval_f32)(k, src, out);
                if differs(out, &want) {
                    fail(format!(
                        "{} on {isa}, out {shift} B after x: wrong bits",
                        op.name
                    ));
                }
                let (Some(b), Some(want)) = (&op.backward, &want_back) else {
                    continue;
                };
                let fill = [x.clone(), g.clone(), dest.clone()];
                let mut a = Arena::new(&fill, &offsets(2, 1, shift));
                let [src, grad, out] = <[_; 3]>::try_from(a.streams()).unwrap();
                (b.eval_f32)(k, src, grad, out);
                if differs(out, want) {
                    fail(format!(
                        "{}_backward on {isa}, grad_in {shift} B after x: wrong bits",
                        op.name
                    ));
                }
                let mut a = Arena::new(&fill[..2], &offsets(1, 1, shift));
                let [src, grad] = <[_; 2]>::try_from(a.streams()).unwrap();
                (b.inplace_f32)(k, src, grad);
                if differs(grad, want) {
                    fail(format!(
                        "{}_backward_inplace on {isa}, grad_out {shift} B after x: wrong bits",
                        op.name
                    ));
                }
            }
        }
        check_gated(k, &dest, &mut fail);
    }
    failures
}

/// `LEN` outputs, each from `f` called on the one-element range of its index alone.
fn each(f: impl Fn(RangeInclusive<usize>, &mut [f32])) -> Vec<f32> {
    let mut y = vec![0.0; LEN];
    for i in 0..LEN {
        f(i..=i, &mut y[i..=i]);
    }
    y
}

fn check_gated(k: Kernels, dest: &[f32], fail: &mut impl FnMut(String)) {
    let isa = k.isa();
    let gate = inputs(LEN, -8.0, 8.0, 1);
    let up = inputs(LEN, -4.0, 4.0, 2);
    let grad = inputs(LEN, -1.0, 1.0, 4);
    for op in GATED {
        let want = each(|i, y| (op.eval_f32)(k, &gate[i.clone()], &up[i], y));
        for shift in SHIFTS {
            let fill = [gate.clone(), up.clone(), dest.to_vec()];
            let mut a = Arena::new(&fill, &offsets(2, 1, shift));
            let [g, u, out] = <[_; 3]>::try_from(a.streams()).unwrap();
            (op.eval_f32)(k, g, u, out);
            if differs(out, &want) {
                fail(format!(
                    "{} on {isa}, out {shift} B after gate and up: wrong bits",
                    op.name
                ));
            }
            let mut a = Arena::new(&[up.clone(), gate.clone()], &offsets(1, 1, shift));
            let [u, g] = <[_; 2]>::try_from(a.streams()).unwrap();
            (op.inplace_f32)(k, g, u);
            if differs(g, &want) {
                fail(format!(
                    "{}_inplace on {isa}, gate {shift} B after up: wrong bits",
                    op.name
                ));
            }
        }
        let Some(b) = &op.backward else { continue };
        let (mut want_g, mut want_u) = (vec![0.0; LEN], vec![0.0; LEN]);
        for i in 0..LEN {
            let r = i..=i;
            let inputs = (&gate[r.clone()], &up[r.clone()], &grad[r.clone()]);
            (b.eval_f32)(k, inputs, (&mut want_g[r.clone()], &mut want_u[r]));
        }
        for shift in SHIFTS {
            let fill = [
                gate.clone(),
                up.clone(),
                grad.clone(),
                dest.to_vec(),
                dest.to_vec(),
            ];
            let mut a = Arena::new(&fill, &offsets(3, 2, shift));
            let [g, u, go, dg, du] = <[_; 5]>::try_from(a.streams()).unwrap();
            (b.eval_f32)(k, (g, u, go), (dg, du));
            if differs(dg, &want_g) || differs(du, &want_u) {
                fail(format!(
                    "{}_backward on {isa}, gradients {shift} B after the inputs: wrong bits",
                    op.name
                ));
            }
        }
    }
}
