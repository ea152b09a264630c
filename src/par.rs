//! Every op of the crate split over the current rayon pool (`rayon` feature, on by default).
//!
//! `par::silu_inplace(x)` and `Kernels::par()` mirror the serial API one for one. A slice
//! shorter than the op's threshold (its catalogue `par_min_len`: [`DEFAULT_MIN_LEN`] for the
//! ops that compute, 256 Ki for the memory-bound relu and reglu; or the one set with
//! [`Par::with_min_len`]) runs serially on the calling thread; a longer one is cut into chunks of a multiple of 64 elements that start on
//! 64-byte boundaries (after a short head that brings the slice to one), about four per
//! thread, run with `rayon` in whatever pool is current, so an engine that calls from inside
//! its own `ThreadPool::install` keeps its threads. Every element is computed by the same
//! body as in the serial call, so the result is bitwise identical for any split.
//!
//! # Example
//! ```
//! use simd_activations::{Kernels, par};
//! let mut x = vec![0.5_f32; 1 << 20];
//! par::silu_inplace(&mut x);
//! let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
//! let mut y = vec![0.5_f32; 1 << 20];
//! pool.install(|| Kernels::detect().par().with_min_len(4096).silu_inplace(&mut y));
//! assert_eq!(x, y);
//! ```

use rayon::prelude::*;

use crate::element::Element;
use crate::kernels::{Kernels, check_gated, check_interleaved, check_map, check_rows};
use crate::ops::GateSlice;
use crate::prelu::{check_prelu, check_prelu_backward};
use crate::rational::rational_body;
use crate::rational_backward::check_rational_backward;
use crate::softmax::check_softmax;
use crate::softmax_backward::check_softmax_backward;

/// Below this many elements (of output) the `par` functions of the ops that compute run
/// serially (the catalogue's `par_min_len` overrides it per op). Measured on a 2-core Zen 3 with
/// `benches/gated.rs` (`par_threshold`), calls made from outside the pool: a split costs 13 to
/// 20 µs there, so geglu gains from 16 Ki (34 µs serial, 32 µs split) and clearly at 32 Ki
/// (80 µs, 55 µs), while reglu, memory-bound, only gains at 256 Ki (57 µs, 37 µs; at 64 Ki
/// 14 µs against 20 µs): its catalogue entry sets 256 Ki.
pub const DEFAULT_MIN_LEN: usize = 1 << 15;

/// Chunks are a multiple of this many elements (64 bytes or more for every element type, and
/// a whole number of SIMD blocks on every ISA).
const GRAIN: usize = 64;

/// The parallel form of a [`Kernels`]: the same ops, split over the current rayon pool.
///
/// # Example
/// ```
/// let par = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
/// let gate = vec![1.0_f32; 10_000];
/// let up = vec![2.0_f32; 10_000];
/// let mut out = vec![0.0_f32; 10_000];
/// par.swiglu(&gate, &up, &mut out);
/// assert!((out[0] - 2.0 * 0.731_058_6).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Par {
    kernels: Kernels,
    /// `None`: each op's catalogue threshold.
    min_len: Option<usize>,
}

impl Kernels {
    /// These kernels split over the current rayon pool, each op with its catalogue threshold.
    pub fn par(self) -> Par {
        Par {
            kernels: self,
            min_len: None,
        }
    }
}

impl Par {
    /// What the free functions of [`crate::par`] use: [`Kernels::global`] and the catalogue
    /// thresholds.
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::par::Par::global();
    /// assert_eq!(p.kernels().isa(), simd_activations::Kernels::global().isa());
    /// assert_eq!(p.min_len(), None);
    /// ```
    pub fn global() -> Par {
        Kernels::global().par()
    }

    /// The same, running every op serially below `min_len` elements of output (0: always
    /// split).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 16);
    /// assert_eq!(p.min_len(), Some(1 << 16));
    /// ```
    pub fn with_min_len(self, min_len: usize) -> Par {
        Par {
            min_len: Some(min_len),
            ..self
        }
    }

    /// The threshold set with [`Par::with_min_len`], or `None` for the catalogue's per op.
    ///
    /// # Example
    /// ```
    /// let k = simd_activations::Kernels::detect();
    /// assert_eq!(k.par().min_len(), None);
    /// assert_eq!(k.par().with_min_len(0).min_len(), Some(0));
    /// ```
    pub fn min_len(self) -> Option<usize> {
        self.min_len
    }

    /// The serial kernels each chunk runs on.
    ///
    /// # Example
    /// ```
    /// let k = simd_activations::Kernels::new(simd_activations::Isa::Scalar).unwrap();
    /// assert_eq!(k.par().kernels().isa(), simd_activations::Isa::Scalar);
    /// ```
    pub fn kernels(self) -> Kernels {
        self.kernels
    }

    /// Chunk length for `len` elements of output of an op whose own threshold is `op_min`, or
    /// `None` to run serially.
    fn chunk_len(self, len: usize, op_min: usize) -> Option<usize> {
        let min_len = self.min_len.unwrap_or(op_min);
        if len < min_len.max(2 * GRAIN) {
            return None;
        }
        let per_task = len.div_ceil(4 * rayon::current_num_threads());
        Some(per_task.max(min_len / 2).max(1).next_multiple_of(GRAIN))
    }

    /// Elements before the first 64-byte boundary of `ptr` (all of them if `len` is shorter).
    fn head<T>(ptr: *const T, len: usize) -> usize {
        ptr.align_offset(64).min(len)
    }

    pub(crate) fn inplace<T: Element>(
        self,
        op_min: usize,
        x: &mut [T],
        f: impl Fn(Kernels, &mut [T]) + Sync,
    ) {
        let k = self.kernels;
        let Some(c) = self.chunk_len(x.len(), op_min) else {
            return f(k, x);
        };
        let (head, rest) = x.split_at_mut(Self::head(x.as_ptr(), x.len()));
        rayon::join(
            || f(k, head),
            || rest.par_chunks_mut(c).for_each(|x| f(k, x)),
        );
    }

    pub(crate) fn map<T: Element>(
        self,
        (name, op_min): (&str, usize),
        x: &[T],
        out: &mut [T],
        f: impl Fn(Kernels, &[T], &mut [T]) + Sync,
    ) {
        check_map(name, x.len(), out.len());
        let k = self.kernels;
        let Some(c) = self.chunk_len(out.len(), op_min) else {
            return f(k, x, out);
        };
        let h = Self::head(out.as_ptr(), out.len());
        let (x_head, x_rest) = x.split_at(h);
        let (out_head, out_rest) = out.split_at_mut(h);
        rayon::join(
            || f(k, x_head, out_head),
            || {
                x_rest
                    .par_chunks(c)
                    .zip(out_rest.par_chunks_mut(c))
                    .for_each(|(x, out)| f(k, x, out))
            },
        );
    }

    pub(crate) fn gated<T: Element>(
        self,
        (name, op_min): (&str, usize),
        (gate, up, out): (&[T], &[T], &mut [T]),
        f: impl Fn(Kernels, &[T], &[T], &mut [T]) + Sync,
    ) {
        check_gated(name, gate.len(), up.len(), out.len());
        let k = self.kernels;
        let Some(c) = self.chunk_len(out.len(), op_min) else {
            return f(k, gate, up, out);
        };
        let h = Self::head(out.as_ptr(), out.len());
        let (gate_head, gate_rest) = gate.split_at(h);
        let (up_head, up_rest) = up.split_at(h);
        let (out_head, out_rest) = out.split_at_mut(h);
        rayon::join(
            || f(k, gate_head, up_head, out_head),
            || {
                (
                    gate_rest.par_chunks(c),
                    up_rest.par_chunks(c),
                    out_rest.par_chunks_mut(c),
                )
                    .into_par_iter()
                    .for_each(|(g, u, o)| f(k, g, u, o))
            },
        );
    }

    pub(crate) fn gated_inplace<T: Element>(
        self,
        (name, op_min): (&str, usize),
        gate: &mut [T],
        up: &[T],
        f: impl Fn(Kernels, &mut [T], &[T]) + Sync,
    ) {
        check_gated(name, gate.len(), up.len(), gate.len());
        let k = self.kernels;
        let Some(c) = self.chunk_len(gate.len(), op_min) else {
            return f(k, gate, up);
        };
        let h = Self::head(gate.as_ptr(), gate.len());
        let (gate_head, gate_rest) = gate.split_at_mut(h);
        let (up_head, up_rest) = up.split_at(h);
        rayon::join(
            || f(k, gate_head, up_head),
            || {
                gate_rest
                    .par_chunks_mut(c)
                    .zip(up_rest.par_chunks(c))
                    .for_each(|(g, u)| f(k, g, u))
            },
        );
    }

    /// The backward pass of a gated op over separate slices, in chunks of the same length of
    /// all five (sizes that do not fit run serially, where `f` panics).
    pub(crate) fn gated_backward<T: Element>(
        self,
        (_, op_min): (&str, usize),
        (gate, up, grad): (&[T], &[T], &[T]),
        (grad_gate, grad_up): (&mut [T], &mut [T]),
        f: impl Fn(Kernels, (&[T], &[T], &[T]), (&mut [T], &mut [T])) + Sync,
    ) {
        let k = self.kernels;
        let n = grad.len();
        let fits = gate.len() == n && up.len() == n && grad_gate.len() == n && grad_up.len() == n;
        let Some(c) = self.chunk_len(n, op_min).filter(|_| fits) else {
            return f(k, (gate, up, grad), (grad_gate, grad_up));
        };
        (
            gate.par_chunks(c),
            up.par_chunks(c),
            grad.par_chunks(c),
            grad_gate.par_chunks_mut(c),
            grad_up.par_chunks_mut(c),
        )
            .into_par_iter()
            .for_each(|(g, u, d, dg, du)| f(k, (g, u, d), (dg, du)));
    }

    /// The backward pass of a gated op's row layout, in chunks of whole rows (sizes that do not
    /// fit run serially, where `f` panics).
    pub(crate) fn rows_backward<T: Element>(
        self,
        op_min: usize,
        (gate_up, width, grad): (&[T], usize, &[T]),
        grad_gate_up: &mut [T],
        f: impl Fn(Kernels, &[T], &[T], &mut [T]) + Sync,
    ) {
        let k = self.kernels;
        let fits = width > 0
            && gate_up.len() == 2 * grad.len()
            && grad.len().is_multiple_of(width)
            && grad_gate_up.len() == gate_up.len();
        let Some(c) = self.chunk_len(grad.len(), op_min).filter(|_| fits) else {
            return f(k, gate_up, grad, grad_gate_up);
        };
        let rows = c.div_ceil(width);
        (
            gate_up.par_chunks(2 * width * rows),
            grad.par_chunks(width * rows),
            grad_gate_up.par_chunks_mut(2 * width * rows),
        )
            .into_par_iter()
            .for_each(|(gu, d, out)| f(k, gu, d, out));
    }

    pub(crate) fn rows<T: Element>(
        self,
        (name, op_min): (&str, usize),
        (gate_up, width, out): (&[T], usize, &mut [T]),
        f: impl Fn(Kernels, &[T], &mut [T]) + Sync,
    ) {
        check_rows(name, gate_up.len(), width, out.len());
        let k = self.kernels;
        let Some(c) = self.chunk_len(out.len(), op_min) else {
            return f(k, gate_up, out);
        };
        let rows = c.div_ceil(width);
        gate_up
            .par_chunks(2 * width * rows)
            .zip(out.par_chunks_mut(width * rows))
            .for_each(|(gu, o)| f(k, gu, o));
    }

    pub(crate) fn interleaved<T: Element>(
        self,
        (name, op_min): (&str, usize),
        gate_up: &[T],
        out: &mut [T],
        f: impl Fn(Kernels, &[T], &mut [T]) + Sync,
    ) {
        check_interleaved(name, gate_up.len(), out.len());
        let k = self.kernels;
        let Some(c) = self.chunk_len(out.len(), op_min) else {
            return f(k, gate_up, out);
        };
        let h = Self::head(out.as_ptr(), out.len());
        let (gu_head, gu_rest) = gate_up.split_at(2 * h);
        let (out_head, out_rest) = out.split_at_mut(h);
        rayon::join(
            || f(k, gu_head, out_head),
            || {
                gu_rest
                    .par_chunks(2 * c)
                    .zip(out_rest.par_chunks_mut(c))
                    .for_each(|(gu, o)| f(k, gu, o))
            },
        );
    }
}

include!(concat!(env!("OUT_DIR"), "/par_api.rs"));

impl Par {
    /// [`Kernels::prelu`] split over the current rayon pool, in chunks of whole rows: the same
    /// bits as the serial call.
    ///
    /// # Panics
    /// As [`Kernels::prelu`] (the message names `par::prelu`).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let alpha: Vec<f32> = (0..100).map(|c| c as f32 / 400.0).collect();
    /// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
    /// p.prelu(&x, &alpha, 100, &mut a);
    /// simd_activations::prelu(&x, &alpha, 100, &mut b);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn prelu<T: Element>(self, x: &[T], alpha: &[T], channels: usize, out: &mut [T]) {
        check_prelu("par::prelu", x.len(), alpha.len(), channels, out.len());
        self.row_chunks((x, channels), (out, channels), |k, x, out| {
            k.prelu(x, alpha, channels, out);
        });
    }

    /// [`Kernels::prelu_inplace`] split over the current rayon pool, in chunks of whole rows.
    ///
    /// # Panics
    /// As [`Kernels::prelu_inplace`] (the message names `par::prelu_inplace`).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let alpha: Vec<f32> = (0..100).map(|c| c as f32 / 400.0).collect();
    /// let (mut a, mut b) = (x.clone(), x.clone());
    /// p.prelu_inplace(&mut a, &alpha, 100);
    /// simd_activations::prelu_inplace(&mut b, &alpha, 100);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn prelu_inplace<T: Element>(self, x: &mut [T], alpha: &[T], channels: usize) {
        check_prelu(
            "par::prelu_inplace",
            x.len(),
            alpha.len(),
            channels,
            x.len(),
        );
        self.row_chunks_inplace(x, channels, |k, x| k.prelu_inplace(x, alpha, channels));
    }

    /// [`Kernels::rational`] split over the current rayon pool: the same bits as the serial
    /// call.
    ///
    /// # Panics
    /// As [`Kernels::rational`] (the message names `par::rational`).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B as B, RATIONAL_LEAKY_P as P};
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
    /// p.rational(&x, &P, &B, &mut a);
    /// simd_activations::rational(&x, &P, &B, &mut b);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn rational<T: Element>(
        self,
        x: &[T],
        numerator: &[f32],
        denominator: &[f32],
        out: &mut [T],
    ) {
        rational_body("par::rational", numerator, denominator);
        self.map(("par::rational", DEFAULT_MIN_LEN), x, out, |k, x, out| {
            k.rational(x, numerator, denominator, out);
        });
    }

    /// [`Kernels::rational_inplace`] split over the current rayon pool.
    ///
    /// # Panics
    /// As [`Kernels::rational_inplace`] (the message names `par::rational_inplace`).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B as B, RATIONAL_LEAKY_P as P};
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let (mut a, mut b) = (x.clone(), x.clone());
    /// p.rational_inplace(&mut a, &P, &B);
    /// simd_activations::rational_inplace(&mut b, &P, &B);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn rational_inplace<T: Element>(self, x: &mut [T], numerator: &[f32], denominator: &[f32]) {
        rational_body("par::rational_inplace", numerator, denominator);
        self.inplace(DEFAULT_MIN_LEN, x, |k, x| {
            k.rational_inplace(x, numerator, denominator);
        });
    }

    /// Rows per chunk for `len` elements of output in rows of `width`, or `None` (serial).
    fn rows_per_chunk(self, len: usize, width: usize) -> Option<usize> {
        let c = self.chunk_len(len, DEFAULT_MIN_LEN)?;
        Some(c.div_ceil(width.max(1)))
    }

    /// [`Kernels::smooth_swiglu`] split over the current rayon pool in chunks of whole rows:
    /// the same bits as the serial call.
    ///
    /// # Panics
    /// As [`Kernels::smooth_swiglu`].
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
    /// let scale: Vec<f32> = (0..100).map(|c| 0.5 + c as f32 / 100.0).collect();
    /// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
    /// p.smooth_swiglu(&x, &u, &scale, &mut a);
    /// simd_activations::smooth_swiglu(&x, &u, &scale, &mut b);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn smooth_swiglu<T: Element>(self, gate: &[T], up: &[T], scale: &[f32], out: &mut [T]) {
        let k = self.kernels;
        let (w, n) = (scale.len(), out.len());
        match self.rows_per_chunk(n, w) {
            Some(rows) if w > 0 && gate.len() == n && up.len() == n && n.is_multiple_of(w) => gate
                .par_chunks(rows * w)
                .zip(up.par_chunks(rows * w))
                .zip(out.par_chunks_mut(rows * w))
                .for_each(|((g, u), o)| k.smooth_swiglu(g, u, scale, o)),
            _ => k.smooth_swiglu(gate, up, scale, out),
        }
    }

    /// [`Kernels::smooth_swiglu_inplace`] split over the current rayon pool.
    ///
    /// # Panics
    /// As [`Kernels::smooth_swiglu_inplace`].
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
    /// let scale: Vec<f32> = (0..100).map(|c| 0.5 + c as f32 / 100.0).collect();
    /// let (mut a, mut b) = (x.clone(), x.clone());
    /// p.smooth_swiglu_inplace(&mut a, &u, &scale);
    /// simd_activations::smooth_swiglu_inplace(&mut b, &u, &scale);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn smooth_swiglu_inplace<T: Element>(self, gate: &mut [T], up: &[T], scale: &[f32]) {
        let k = self.kernels;
        let (w, n) = (scale.len(), gate.len());
        match self.rows_per_chunk(n, w) {
            Some(rows) if w > 0 && up.len() == n && n.is_multiple_of(w) => gate
                .par_chunks_mut(rows * w)
                .zip(up.par_chunks(rows * w))
                .for_each(|(g, u)| k.smooth_swiglu_inplace(g, u, scale)),
            _ => k.smooth_swiglu_inplace(gate, up, scale),
        }
    }

    /// [`Kernels::smooth_swiglu_rows`] split over the current rayon pool.
    ///
    /// # Panics
    /// As [`Kernels::smooth_swiglu_rows`].
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
    /// let scale: Vec<f32> = (0..100).map(|c| 0.5 + c as f32 / 100.0).collect();
    /// let gu: Vec<f32> = x.chunks(100).zip(u.chunks(100)).flat_map(|(g, u)| [g, u].concat()).collect();
    /// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
    /// p.smooth_swiglu_rows(&gu, &scale, &mut a);
    /// simd_activations::smooth_swiglu_rows(&gu, &scale, &mut b);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn smooth_swiglu_rows<T: Element>(self, gate_up: &[T], scale: &[f32], out: &mut [T]) {
        let w = scale.len();
        if w == 0 || gate_up.len() != 2 * out.len() || !out.len().is_multiple_of(w) {
            // Sizes that do not fit: the serial call panics with its message.
            return self.kernels.smooth_swiglu_rows(gate_up, scale, out);
        }
        self.row_chunks((gate_up, 2 * w), (out, w), |k, gu, o| {
            k.smooth_swiglu_rows(gu, scale, o);
        });
    }

    /// [`Kernels::smooth_swiglu_interleaved`] split over the current rayon pool.
    ///
    /// # Panics
    /// As [`Kernels::smooth_swiglu_interleaved`].
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
    /// let scale: Vec<f32> = (0..100).map(|c| 0.5 + c as f32 / 100.0).collect();
    /// let gi: Vec<f32> = x.iter().zip(&u).flat_map(|(&g, &u)| [g, u]).collect();
    /// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
    /// p.smooth_swiglu_interleaved(&gi, &scale, &mut a);
    /// simd_activations::smooth_swiglu_interleaved(&gi, &scale, &mut b);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn smooth_swiglu_interleaved<T: Element>(
        self,
        gate_up: &[T],
        scale: &[f32],
        out: &mut [T],
    ) {
        let w = scale.len();
        if w == 0 || gate_up.len() != 2 * out.len() || !out.len().is_multiple_of(w) {
            // Sizes that do not fit: the serial call panics with its message.
            return self.kernels.smooth_swiglu_interleaved(gate_up, scale, out);
        }
        self.row_chunks((gate_up, 2 * w), (out, w), |k, gu, o| {
            k.smooth_swiglu_interleaved(gu, scale, o);
        });
    }

    /// [`Kernels::softmax_backward`] split over the current rayon pool in chunks of whole rows:
    /// the same bits as the serial call.
    ///
    /// # Panics
    /// As [`Kernels::softmax_backward`] (the message names `par::softmax_backward`).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
    /// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
    /// p.softmax_backward(&x, &u, 400, &mut a);
    /// simd_activations::softmax_backward(&x, &u, 400, &mut b);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn softmax_backward<T: Element>(
        self,
        y: &[T],
        grad_out: &[T],
        width: usize,
        grad_in: &mut [T],
    ) {
        let name = "par::softmax_backward";
        check_softmax_backward(name, y.len(), grad_out.len(), width, grad_in.len());
        self.rows_of_two((y, grad_out), width, grad_in, |k, y, g, o| {
            k.softmax_backward(y, g, width, o);
        });
    }

    /// [`Kernels::log_softmax_backward`] split over the current rayon pool in chunks of whole
    /// rows: the same bits as the serial call.
    ///
    /// # Panics
    /// As [`Kernels::log_softmax_backward`] (the message names `par::log_softmax_backward`).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
    /// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
    /// p.log_softmax_backward(&x, &u, 400, &mut a);
    /// simd_activations::log_softmax_backward(&x, &u, 400, &mut b);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn log_softmax_backward<T: Element>(
        self,
        y: &[T],
        grad_out: &[T],
        width: usize,
        grad_in: &mut [T],
    ) {
        let name = "par::log_softmax_backward";
        check_softmax_backward(name, y.len(), grad_out.len(), width, grad_in.len());
        self.rows_of_two((y, grad_out), width, grad_in, |k, y, g, o| {
            k.log_softmax_backward(y, g, width, o);
        });
    }

    /// Whole rows of `width` of two inputs and one output, split over the pool (sizes checked
    /// by the caller, `width > 0`).
    fn rows_of_two<T: Element>(
        self,
        (a, b): (&[T], &[T]),
        width: usize,
        out: &mut [T],
        f: impl Fn(Kernels, &[T], &[T], &mut [T]) + Sync,
    ) {
        let k = self.kernels;
        let Some(rows) = self.rows_per_chunk(out.len(), width) else {
            return f(k, a, b, out);
        };
        let c = rows * width;
        (a.par_chunks(c), b.par_chunks(c), out.par_chunks_mut(c))
            .into_par_iter()
            .for_each(|(a, b, o)| f(k, a, b, o));
    }

    /// Whole rows, split over the pool: row `r` is `x[r * x_width..][..x_width]` and
    /// `out[r * out_width..][..out_width]` (sizes checked by the caller, widths > 0).
    fn row_chunks<T: Element>(
        self,
        (x, x_width): (&[T], usize),
        (out, out_width): (&mut [T], usize),
        f: impl Fn(Kernels, &[T], &mut [T]) + Sync,
    ) {
        let k = self.kernels;
        let Some(c) = self.chunk_len(out.len(), DEFAULT_MIN_LEN) else {
            return f(k, x, out);
        };
        let rows = c.div_ceil(out_width);
        x.par_chunks(rows * x_width)
            .zip(out.par_chunks_mut(rows * out_width))
            .for_each(|(x, out)| f(k, x, out));
    }

    /// Whole rows of `width` of `x`, split over the pool, in place.
    fn row_chunks_inplace<T: Element>(
        self,
        x: &mut [T],
        width: usize,
        f: impl Fn(Kernels, &mut [T]) + Sync,
    ) {
        let k = self.kernels;
        let Some(c) = self.chunk_len(x.len(), DEFAULT_MIN_LEN) else {
            return f(k, x);
        };
        let rows = c.div_ceil(width) * width;
        x.par_chunks_mut(rows).for_each(|x| f(k, x));
    }

    /// [`Kernels::softmax`] split over the current rayon pool in chunks of whole rows (a row
    /// is never split): the same bits as the serial call.
    ///
    /// # Panics
    /// As [`Kernels::softmax`] (the message names `par::softmax`).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
    /// p.softmax(&x, 400, &mut a);
    /// simd_activations::softmax(&x, 400, &mut b);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn softmax<T: Element>(self, x: &[T], width: usize, out: &mut [T]) {
        check_softmax("par::softmax", x.len(), width, out.len());
        self.row_chunks((x, width), (out, width), |k, x, out| {
            k.softmax(x, width, out);
        });
    }

    /// [`Kernels::softmax_inplace`] split over the current rayon pool in chunks of whole rows.
    ///
    /// # Panics
    /// As [`Kernels::softmax_inplace`] (the message names `par::softmax_inplace`).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let (mut a, mut b) = (x.clone(), x.clone());
    /// p.softmax_inplace(&mut a, 400);
    /// simd_activations::softmax_inplace(&mut b, 400);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn softmax_inplace<T: Element>(self, x: &mut [T], width: usize) {
        check_softmax("par::softmax_inplace", x.len(), width, x.len());
        self.row_chunks_inplace(x, width, |k, x| k.softmax_inplace(x, width));
    }

    /// [`Kernels::log_softmax`] split over the current rayon pool in chunks of whole rows.
    ///
    /// # Panics
    /// As [`Kernels::log_softmax`] (the message names `par::log_softmax`).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
    /// p.log_softmax(&x, 400, &mut a);
    /// simd_activations::log_softmax(&x, 400, &mut b);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn log_softmax<T: Element>(self, x: &[T], width: usize, out: &mut [T]) {
        check_softmax("par::log_softmax", x.len(), width, out.len());
        self.row_chunks((x, width), (out, width), |k, x, out| {
            k.log_softmax(x, width, out);
        });
    }

    /// [`Kernels::log_softmax_inplace`] split over the current rayon pool in chunks of whole
    /// rows.
    ///
    /// # Panics
    /// As [`Kernels::log_softmax_inplace`] (the message names `par::log_softmax_inplace`).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let (mut a, mut b) = (x.clone(), x.clone());
    /// p.log_softmax_inplace(&mut a, 400);
    /// simd_activations::log_softmax_inplace(&mut b, 400);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn log_softmax_inplace<T: Element>(self, x: &mut [T], width: usize) {
        check_softmax("par::log_softmax_inplace", x.len(), width, x.len());
        self.row_chunks_inplace(x, width, |k, x| k.log_softmax_inplace(x, width));
    }
}

impl Par {
    /// [`Kernels::prelu_backward`] over the current rayon pool: the chunks of the slope
    /// gradient's reduction (16 Ki elements, fixed by the sizes) as the leaves of rayon's
    /// `join` tree, combined in the serial call's order, so the result (`grad_in` and
    /// `grad_alpha`) is bitwise the serial call's for any thread count. Below the threshold
    /// ([`DEFAULT_MIN_LEN`] or [`Par::with_min_len`]) it runs serially.
    ///
    /// # Panics
    /// As [`Kernels::prelu_backward`] (the message names `par::prelu_backward`).
    ///
    /// # Example
    /// ```
    /// let x: Vec<f32> = (0..100_000).map(|i| (i % 7) as f32 - 3.0).collect();
    /// let g = vec![0.5_f32; x.len()];
    /// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
    /// let (mut ga, mut gb) = ([0.0_f32; 4], [0.0_f32; 4]);
    /// let alpha = [0.1_f32, 0.2, 0.3, 0.4];
    /// let k = simd_activations::Kernels::detect();
    /// k.prelu_backward(&x, &g, &alpha, 4, &mut a, &mut ga);
    /// k.par().with_min_len(0).prelu_backward(&x, &g, &alpha, 4, &mut b, &mut gb);
    /// assert_eq!((a, ga), (b, gb));
    /// ```
    pub fn prelu_backward<T: Element>(
        self,
        x: &[T],
        grad_out: &[T],
        alpha: &[T],
        channels: usize,
        grad_in: &mut [T],
        grad_alpha: &mut [T],
    ) {
        let sizes = (x.len(), grad_out.len(), alpha.len(), channels);
        check_prelu_backward(
            "par::prelu_backward",
            sizes,
            grad_in.len(),
            grad_alpha.len(),
        );
        let parallel = self.chunk_len(x.len(), DEFAULT_MIN_LEN).is_some();
        let grad = GateSlice::Separate {
            gate: grad_out,
            out: grad_in,
        };
        self.kernels
            .prelu_backward_into((x, alpha, channels), grad, grad_alpha, parallel);
    }

    /// [`Kernels::prelu_backward_inplace`] over the current rayon pool, as
    /// [`Par::prelu_backward`] (the same bits as the serial call).
    ///
    /// # Panics
    /// As [`Kernels::prelu_backward_inplace`] (the message names `par::prelu_backward_inplace`).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
    /// let alpha: Vec<f32> = (0..100).map(|c| c as f32 / 400.0).collect();
    /// let (mut ga, mut gb) = ([0.0_f32; 100], [0.0_f32; 100]);
    /// let (mut a, mut b) = (u.clone(), u.clone());
    /// p.prelu_backward_inplace(&x, &mut a, &alpha, 100, &mut ga);
    /// simd_activations::prelu_backward_inplace(&x, &mut b, &alpha, 100, &mut gb);
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// assert!(ga.iter().zip(&gb).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn prelu_backward_inplace<T: Element>(
        self,
        x: &[T],
        grad_out: &mut [T],
        alpha: &[T],
        channels: usize,
        grad_alpha: &mut [T],
    ) {
        let n = grad_out.len();
        let sizes = (x.len(), n, alpha.len(), channels);
        check_prelu_backward("par::prelu_backward_inplace", sizes, n, grad_alpha.len());
        let parallel = self.chunk_len(x.len(), DEFAULT_MIN_LEN).is_some();
        let grad = GateSlice::InPlace(grad_out);
        self.kernels
            .prelu_backward_into((x, alpha, channels), grad, grad_alpha, parallel);
    }

    /// [`Kernels::rational_backward`] over the current rayon pool: the chunks of the coefficient
    /// gradients' reduction (16 Ki elements, fixed by the size) as the leaves of rayon's `join`
    /// tree, combined in the serial call's order, so every output is bitwise the serial call's
    /// for any thread count. Below the threshold ([`DEFAULT_MIN_LEN`] or
    /// [`Par::with_min_len`]) it runs serially.
    ///
    /// # Panics
    /// As [`Kernels::rational_backward`] (the message names `par::rational_backward`).
    ///
    /// # Example
    /// ```
    /// use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B as B, RATIONAL_LEAKY_P as P};
    /// let x: Vec<f32> = (0..100_000).map(|i| (i % 61) as f32 / 10.0 - 3.0).collect();
    /// let g = vec![0.5_f32; x.len()];
    /// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
    /// let (mut pa, mut qa, mut pb, mut qb) = ([0.0_f32; 6], [0.0_f32; 4], [0.0_f32; 6], [0.0_f32; 4]);
    /// let k = simd_activations::Kernels::detect();
    /// k.rational_backward(&x, &g, &P, &B, &mut a, (&mut pa, &mut qa));
    /// k.par().with_min_len(0).rational_backward(&x, &g, &P, &B, &mut b, (&mut pb, &mut qb));
    /// assert_eq!((a, pa, qa), (b, pb, qb));
    /// ```
    pub fn rational_backward<T: Element>(
        self,
        x: &[T],
        grad_out: &[T],
        numerator: &[f32],
        denominator: &[f32],
        grad_in: &mut [T],
        grad_coefficients: (&mut [f32], &mut [f32]),
    ) {
        let sizes = (x.len(), grad_out.len(), grad_in.len());
        let counts = (grad_coefficients.0.len(), grad_coefficients.1.len());
        let coefficients = (numerator, denominator);
        let body = check_rational_backward("par::rational_backward", sizes, coefficients, counts);
        let parallel = self.chunk_len(x.len(), DEFAULT_MIN_LEN).is_some();
        let grad = GateSlice::Separate {
            gate: grad_out,
            out: grad_in,
        };
        self.kernels.rational_backward_into(
            (x, &body, coefficients),
            grad,
            grad_coefficients,
            parallel,
        );
    }

    /// [`Kernels::rational_backward_inplace`] over the current rayon pool, as
    /// [`Par::rational_backward`] (the same bits as the serial call).
    ///
    /// # Panics
    /// As [`Kernels::rational_backward_inplace`] (the message names
    /// `par::rational_backward_inplace`).
    ///
    /// # Example
    /// ```
    /// let p = simd_activations::Kernels::detect().par().with_min_len(1 << 12);
    /// use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B as B, RATIONAL_LEAKY_P as P};
    /// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
    /// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
    /// let (mut pa, mut qa, mut pb, mut qb) = ([0.0_f32; 6], [0.0_f32; 4], [0.0_f32; 6], [0.0_f32; 4]);
    /// let (mut a, mut b) = (u.clone(), u.clone());
    /// p.rational_backward_inplace(&x, &mut a, &P, &B, (&mut pa, &mut qa));
    /// simd_activations::rational_backward_inplace(&x, &mut b, &P, &B, (&mut pb, &mut qb));
    /// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// assert!(pa.iter().zip(&pb).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// assert!(qa.iter().zip(&qb).all(|(p, q)| p.to_bits() == q.to_bits()));
    /// ```
    pub fn rational_backward_inplace<T: Element>(
        self,
        x: &[T],
        grad_out: &mut [T],
        numerator: &[f32],
        denominator: &[f32],
        grad_coefficients: (&mut [f32], &mut [f32]),
    ) {
        let n = grad_out.len();
        let counts = (grad_coefficients.0.len(), grad_coefficients.1.len());
        let coefficients = (numerator, denominator);
        let name = "par::rational_backward_inplace";
        let body = check_rational_backward(name, (x.len(), n, n), coefficients, counts);
        let parallel = self.chunk_len(x.len(), DEFAULT_MIN_LEN).is_some();
        let grad = GateSlice::InPlace(grad_out);
        self.kernels.rational_backward_into(
            (x, &body, coefficients),
            grad,
            grad_coefficients,
            parallel,
        );
    }
}

/// [`crate::prelu_backward`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::prelu_backward`].
///
/// # Example
/// ```
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
/// let alpha: Vec<f32> = (0..100).map(|c| c as f32 / 400.0).collect();
/// let (mut ga, mut gb) = ([0.0_f32; 100], [0.0_f32; 100]);
/// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
/// simd_activations::par::prelu_backward(&x, &u, &alpha, 100, &mut a, &mut ga);
/// simd_activations::prelu_backward(&x, &u, &alpha, 100, &mut b, &mut gb);
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// assert!(ga.iter().zip(&gb).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn prelu_backward<T: Element>(
    x: &[T],
    grad_out: &[T],
    alpha: &[T],
    channels: usize,
    grad_in: &mut [T],
    grad_alpha: &mut [T],
) {
    Par::global().prelu_backward(x, grad_out, alpha, channels, grad_in, grad_alpha);
}

/// [`crate::prelu_backward_inplace`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::prelu_backward_inplace`].
///
/// # Example
/// ```
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
/// let alpha: Vec<f32> = (0..100).map(|c| c as f32 / 400.0).collect();
/// let (mut ga, mut gb) = ([0.0_f32; 100], [0.0_f32; 100]);
/// let (mut a, mut b) = (u.clone(), u.clone());
/// simd_activations::par::prelu_backward_inplace(&x, &mut a, &alpha, 100, &mut ga);
/// simd_activations::prelu_backward_inplace(&x, &mut b, &alpha, 100, &mut gb);
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// assert!(ga.iter().zip(&gb).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn prelu_backward_inplace<T: Element>(
    x: &[T],
    grad_out: &mut [T],
    alpha: &[T],
    channels: usize,
    grad_alpha: &mut [T],
) {
    Par::global().prelu_backward_inplace(x, grad_out, alpha, channels, grad_alpha);
}

/// [`crate::rational_backward`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::rational_backward`].
///
/// # Example
/// ```
/// use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B as B, RATIONAL_LEAKY_P as P};
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
/// let (mut pa, mut qa, mut pb, mut qb) = ([0.0_f32; 6], [0.0_f32; 4], [0.0_f32; 6], [0.0_f32; 4]);
/// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
/// simd_activations::par::rational_backward(&x, &u, &P, &B, &mut a, (&mut pa, &mut qa));
/// simd_activations::rational_backward(&x, &u, &P, &B, &mut b, (&mut pb, &mut qb));
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// assert!(pa.iter().zip(&pb).all(|(p, q)| p.to_bits() == q.to_bits()));
/// assert!(qa.iter().zip(&qb).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn rational_backward<T: Element>(
    x: &[T],
    grad_out: &[T],
    numerator: &[f32],
    denominator: &[f32],
    grad_in: &mut [T],
    grad_coefficients: (&mut [f32], &mut [f32]),
) {
    Par::global().rational_backward(
        x,
        grad_out,
        numerator,
        denominator,
        grad_in,
        grad_coefficients,
    );
}

/// [`crate::rational_backward_inplace`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::rational_backward_inplace`].
///
/// # Example
/// ```
/// use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B as B, RATIONAL_LEAKY_P as P};
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
/// let (mut pa, mut qa, mut pb, mut qb) = ([0.0_f32; 6], [0.0_f32; 4], [0.0_f32; 6], [0.0_f32; 4]);
/// let (mut a, mut b) = (u.clone(), u.clone());
/// simd_activations::par::rational_backward_inplace(&x, &mut a, &P, &B, (&mut pa, &mut qa));
/// simd_activations::rational_backward_inplace(&x, &mut b, &P, &B, (&mut pb, &mut qb));
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// assert!(pa.iter().zip(&pb).all(|(p, q)| p.to_bits() == q.to_bits()));
/// assert!(qa.iter().zip(&qb).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn rational_backward_inplace<T: Element>(
    x: &[T],
    grad_out: &mut [T],
    numerator: &[f32],
    denominator: &[f32],
    grad_coefficients: (&mut [f32], &mut [f32]),
) {
    Par::global().rational_backward_inplace(x, grad_out, numerator, denominator, grad_coefficients);
}

/// [`crate::prelu`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::prelu`].
///
/// # Example
/// ```
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let alpha: Vec<f32> = (0..100).map(|c| c as f32 / 400.0).collect();
/// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
/// simd_activations::par::prelu(&x, &alpha, 100, &mut a);
/// simd_activations::prelu(&x, &alpha, 100, &mut b);
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn prelu<T: Element>(x: &[T], alpha: &[T], channels: usize, out: &mut [T]) {
    Par::global().prelu(x, alpha, channels, out);
}

/// [`crate::prelu_inplace`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::prelu_inplace`].
///
/// # Example
/// ```
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let alpha: Vec<f32> = (0..100).map(|c| c as f32 / 400.0).collect();
/// let (mut a, mut b) = (x.clone(), x.clone());
/// simd_activations::par::prelu_inplace(&mut a, &alpha, 100);
/// simd_activations::prelu_inplace(&mut b, &alpha, 100);
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn prelu_inplace<T: Element>(x: &mut [T], alpha: &[T], channels: usize) {
    Par::global().prelu_inplace(x, alpha, channels);
}

/// [`crate::softmax`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::softmax`].
///
/// # Example
/// ```
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
/// simd_activations::par::softmax(&x, 400, &mut a);
/// simd_activations::softmax(&x, 400, &mut b);
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn softmax<T: Element>(x: &[T], width: usize, out: &mut [T]) {
    Par::global().softmax(x, width, out);
}

/// [`crate::softmax_inplace`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::softmax_inplace`].
///
/// # Example
/// ```
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let (mut a, mut b) = (x.clone(), x.clone());
/// simd_activations::par::softmax_inplace(&mut a, 400);
/// simd_activations::softmax_inplace(&mut b, 400);
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn softmax_inplace<T: Element>(x: &mut [T], width: usize) {
    Par::global().softmax_inplace(x, width);
}

/// [`crate::log_softmax`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::log_softmax`].
///
/// # Example
/// ```
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
/// simd_activations::par::log_softmax(&x, 400, &mut a);
/// simd_activations::log_softmax(&x, 400, &mut b);
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn log_softmax<T: Element>(x: &[T], width: usize, out: &mut [T]) {
    Par::global().log_softmax(x, width, out);
}

/// [`crate::log_softmax_inplace`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::log_softmax_inplace`].
///
/// # Example
/// ```
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let (mut a, mut b) = (x.clone(), x.clone());
/// simd_activations::par::log_softmax_inplace(&mut a, 400);
/// simd_activations::log_softmax_inplace(&mut b, 400);
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn log_softmax_inplace<T: Element>(x: &mut [T], width: usize) {
    Par::global().log_softmax_inplace(x, width);
}

/// [`crate::softmax_backward`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::softmax_backward`].
///
/// # Example
/// ```
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
/// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
/// simd_activations::par::softmax_backward(&x, &u, 400, &mut a);
/// simd_activations::softmax_backward(&x, &u, 400, &mut b);
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn softmax_backward<T: Element>(y: &[T], grad_out: &[T], width: usize, grad_in: &mut [T]) {
    Par::global().softmax_backward(y, grad_out, width, grad_in);
}

/// [`crate::log_softmax_backward`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::log_softmax_backward`].
///
/// # Example
/// ```
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let u: Vec<f32> = x.iter().map(|v| 0.5 - v / 8.0).collect();
/// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
/// simd_activations::par::log_softmax_backward(&x, &u, 400, &mut a);
/// simd_activations::log_softmax_backward(&x, &u, 400, &mut b);
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn log_softmax_backward<T: Element>(y: &[T], grad_out: &[T], width: usize, grad_in: &mut [T]) {
    Par::global().log_softmax_backward(y, grad_out, width, grad_in);
}

/// [`crate::rational`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::rational`].
///
/// # Example
/// ```
/// use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B as B, RATIONAL_LEAKY_P as P};
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let (mut a, mut b) = (vec![0.0_f32; x.len()], vec![0.0_f32; x.len()]);
/// simd_activations::par::rational(&x, &P, &B, &mut a);
/// simd_activations::rational(&x, &P, &B, &mut b);
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn rational<T: Element>(x: &[T], numerator: &[f32], denominator: &[f32], out: &mut [T]) {
    Par::global().rational(x, numerator, denominator, out);
}

/// [`crate::rational_inplace`] split over the current rayon pool ([`Par::global`]).
///
/// # Panics
/// As [`Kernels::rational_inplace`].
///
/// # Example
/// ```
/// use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B as B, RATIONAL_LEAKY_P as P};
/// let x: Vec<f32> = (0..40_000).map(|i| (i % 997) as f32 / 100.0 - 5.0).collect();
/// let (mut a, mut b) = (x.clone(), x.clone());
/// simd_activations::par::rational_inplace(&mut a, &P, &B);
/// simd_activations::rational_inplace(&mut b, &P, &B);
/// assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
/// ```
pub fn rational_inplace<T: Element>(x: &mut [T], numerator: &[f32], denominator: &[f32]) {
    Par::global().rational_inplace(x, numerator, denominator);
}
