//! Gated ops with a per-channel scale on the up operand (smooth-SwiGLU): `op(gate, up · scale[c])`
//! over rows of `width = scale.len()` channels, in the four layouts of the gated ops.

use pulp::{Simd, WithSimd};

use crate::element::{Element, block_len, load_tail, store_tail};
use crate::ops::{GateSlice, GatedOp, eval_gated};
use crate::shim::deinterleave;

/// Where a scaled gated pass reads and writes (sizes checked by the caller).
pub(crate) enum ScaledLayout<'a, T> {
    /// Rows of `gate` and `up` (equally long), results in `out` or over the gates.
    Separate { gate: GateSlice<'a, T>, up: &'a [T] },
    /// Rows `[gate(width) | up(width)]`, results in rows of `width`.
    Rows { gate_up: &'a [T], out: &'a mut [T] },
    /// Rows of `width` interleaved pairs `[g0, u0, g1, u1, …]`, one result per pair.
    Interleaved { gate_up: &'a [T], out: &'a mut [T] },
}

/// `op(gate, up · scale[c])` row by row; `scale` has one factor per channel.
pub(crate) struct MapScaled<'a, T, Op> {
    pub op: &'a Op,
    pub layout: ScaledLayout<'a, T>,
    pub scale: &'a [f32],
}

impl<T: Element, Op: GatedOp> WithSimd for MapScaled<'_, T, Op> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let (op, scale) = (*self.op, self.scale);
        let w = scale.len();
        match self.layout {
            ScaledLayout::Separate {
                gate: GateSlice::Separate { gate, out },
                up,
            } => {
                for ((g, u), o) in gate
                    .chunks_exact(w)
                    .zip(up.chunks_exact(w))
                    .zip(out.chunks_exact_mut(w))
                {
                    scaled_row(
                        simd,
                        op,
                        &mut GateSlice::Separate { gate: g, out: o },
                        u,
                        scale,
                    );
                }
            }
            ScaledLayout::Separate {
                gate: GateSlice::InPlace(gate),
                up,
            } => {
                for (g, u) in gate.chunks_exact_mut(w).zip(up.chunks_exact(w)) {
                    scaled_row(simd, op, &mut GateSlice::InPlace(g), u, scale);
                }
            }
            ScaledLayout::Rows { gate_up, out } => {
                for (row, o) in gate_up.chunks_exact(2 * w).zip(out.chunks_exact_mut(w)) {
                    let (g, u) = row.split_at(w);
                    scaled_row(
                        simd,
                        op,
                        &mut GateSlice::Separate { gate: g, out: o },
                        u,
                        scale,
                    );
                }
            }
            ScaledLayout::Interleaved { gate_up, out } => {
                for (pairs, o) in gate_up.chunks_exact(2 * w).zip(out.chunks_exact_mut(w)) {
                    scaled_interleaved_row(simd, op, pairs, o, scale);
                }
            }
        }
    }
}

/// `op(g, u · s)` on a block: the scaled up rounded once, then the gated body.
#[inline(always)]
fn eval_scaled<S: Simd, Op: GatedOp>(
    simd: S,
    op: Op,
    g: [S::f32s; 2],
    u: [S::f32s; 2],
    s: [S::f32s; 2],
) -> [S::f32s; 2] {
    let us = [simd.mul_f32s(u[0], s[0]), simd.mul_f32s(u[1], s[1])];
    eval_gated(simd, op, g, us)
}

/// One row of separate gates and ups (full blocks, then the masked tail).
#[inline(always)]
fn scaled_row<S: Simd, T: Element, Op: GatedOp>(
    simd: S,
    op: Op,
    gate: &mut GateSlice<'_, T>,
    up: &[T],
    scale: &[f32],
) {
    let n = block_len::<S>();
    let len = up.len();
    let whole = len - len % n;
    let mut i = 0;
    while i < whole {
        let g = T::load_block(simd, &gate.src()[i..i + n]);
        let u = T::load_block(simd, &up[i..i + n]);
        let s = load_whole(simd, &scale[i..i + n]);
        T::store_block(
            simd,
            &mut gate.dst()[i..i + n],
            eval_scaled(simd, op, g, u, s),
        );
        i += n;
    }
    if whole < len {
        let g = load_tail(simd, &gate.src()[whole..len]);
        let u = load_tail(simd, &up[whole..]);
        let s = load_tail(simd, &scale[whole..]);
        store_tail(
            simd,
            &mut gate.dst()[whole..len],
            eval_scaled(simd, op, g, u, s),
        );
    }
}

/// One row of interleaved pairs (`pairs.len() == 2 * out.len()`).
#[inline(always)]
fn scaled_interleaved_row<S: Simd, T: Element, Op: GatedOp>(
    simd: S,
    op: Op,
    pairs: &[T],
    out: &mut [T],
    scale: &[f32],
) {
    let n = block_len::<S>();
    let len = out.len();
    let whole = len - len % n;
    let mut i = 0;
    while i < whole {
        let [g0, u0] = deinterleave(simd, T::load_block(simd, &pairs[2 * i..2 * i + n]));
        let [g1, u1] = deinterleave(simd, T::load_block(simd, &pairs[2 * i + n..2 * i + 2 * n]));
        let s = load_whole(simd, &scale[i..i + n]);
        T::store_block(
            simd,
            &mut out[i..i + n],
            eval_scaled(simd, op, [g0, g1], [u0, u1], s),
        );
        i += n;
    }
    if whole < len {
        let rest = &pairs[2 * whole..];
        let (first, second) = rest.split_at(rest.len().min(n));
        let [g0, u0] = deinterleave(simd, load_tail(simd, first));
        let [g1, u1] = deinterleave(simd, load_tail(simd, second));
        let s = load_tail(simd, &scale[whole..]);
        store_tail(
            simd,
            &mut out[whole..],
            eval_scaled(simd, op, [g0, g1], [u0, u1], s),
        );
    }
}

/// A whole block of `E` (here the f32 scales) as f32 lanes.
#[inline(always)]
fn load_whole<S: Simd, E: Element>(simd: S, src: &[E]) -> [S::f32s; 2] {
    E::load_block(simd, src)
}
