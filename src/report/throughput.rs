//! Throughput of one subject × dtype × ISA × size, one thread and split over a rayon pool, and
//! the memory-bandwidth line (a plain copy of the same size) it is compared with.

use std::hint::black_box;

use rayon::ThreadPool;
use rayon::prelude::*;
use simd_activations::Kernels;
use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B, RATIONAL_LEAKY_P};
use simd_activations::par::DEFAULT_MIN_LEN;

use super::dtype::{Elem, ParKernel};
use super::subject::{ROW_WIDTH, Sliced, Subject};
use super::timing::{Budget, median_seconds};

/// A measured rate: the median time of one call and what the call moved.
#[derive(Clone, Copy, Debug)]
pub struct Rate {
    /// Median seconds per call.
    pub seconds: f64,
    /// Output elements per call.
    pub elements: usize,
    /// Bytes read plus bytes written per call (each array once).
    pub bytes: usize,
}

impl Rate {
    /// 1e9 output elements per second.
    pub fn gelem_per_s(&self) -> f64 {
        self.elements as f64 / self.seconds / 1e9
    }

    /// 1e9 bytes (read + written) per second.
    pub fn gb_per_s(&self) -> f64 {
        self.bytes as f64 / self.seconds / 1e9
    }
}

/// `n` values evenly spread over `[lo, hi]` in `T`.
fn spread<T: Elem>(n: usize, lo: f32, hi: f32) -> Vec<T> {
    (0..n)
        .map(|i| {
            let v = f64::from(lo) + f64::from(hi - lo) * (i as f64 + 0.5) / n as f64;
            T::from_f32(v as f32)
        })
        .collect()
}

/// The width of the rows a row-wise op runs on at `size` elements: [`ROW_WIDTH`] where it
/// divides `size`, else one row of `size`.
pub fn row_width(size: usize) -> usize {
    if size.is_multiple_of(ROW_WIDTH) {
        ROW_WIDTH
    } else {
        size
    }
}

/// Preallocated inputs and outputs of one subject at one size: `x` (or gates, logits, the
/// forward's output `y`) over [-8, 8]; the second input where there is one (ups over [-4, 4],
/// `grad_out` over [-1, 1]); `grad_out` of a gated backward pass; the per-channel parameters of
/// a sliced op over one row of [`row_width`] channels (prelu slopes over [0.01, 0.3],
/// smooth_swiglu scales over [0.5, 2]); the second output of a gated backward pass, or
/// prelu_backward's slope gradients; rational_backward's coefficient gradients.
pub struct Buffers<T> {
    subject: Subject,
    a: Vec<T>,
    b: Vec<T>,
    c: Vec<T>,
    channels: Vec<T>,
    scale: Vec<f32>,
    out: Vec<T>,
    out2: Vec<T>,
    coefficients: (Vec<f32>, Vec<f32>),
}

impl<T: Elem> Buffers<T> {
    /// Inputs and written (page-faulted) outputs of `size` elements for `subject`.
    pub fn new(subject: Subject, size: usize) -> Buffers<T> {
        let (b, c) = match subject {
            Subject::Gated(_) | Subject::Sliced(Sliced::SmoothSwiglu) => {
                (spread(size, -4.0, 4.0), Vec::new())
            }
            Subject::GatedBackward(..) => (spread(size, -4.0, 4.0), spread(size, -1.0, 1.0)),
            Subject::Backward(..)
            | Subject::RowwiseBackward(..)
            | Subject::Sliced(Sliced::PreluBackward | Sliced::RationalBackward) => {
                (spread(size, -1.0, 1.0), Vec::new())
            }
            Subject::Unary(_)
            | Subject::Rowwise(_)
            | Subject::Sliced(Sliced::Prelu | Sliced::Rational) => (Vec::new(), Vec::new()),
        };
        let width = row_width(size);
        let (channels, scale) = match subject {
            Subject::Sliced(Sliced::Prelu | Sliced::PreluBackward) => {
                (spread(width, 0.01, 0.3), Vec::new())
            }
            Subject::Sliced(Sliced::SmoothSwiglu) => (Vec::new(), spread(width, 0.5, 2.0)),
            _ => (Vec::new(), Vec::new()),
        };
        let out2 = match subject {
            Subject::GatedBackward(..) => vec![T::from_f32(1.0); size],
            Subject::Sliced(Sliced::PreluBackward) => vec![T::from_f32(1.0); width],
            _ => Vec::new(),
        };
        Buffers {
            subject,
            a: spread(size, -8.0, 8.0),
            b,
            c,
            channels,
            scale,
            out: vec![T::from_f32(1.0); size],
            out2,
            coefficients: (
                vec![0.0; RATIONAL_LEAKY_P.len()],
                vec![0.0; RATIONAL_LEAKY_B.len()],
            ),
        }
    }

    /// What one call moves.
    fn rate(&self, seconds: f64) -> Rate {
        let n = self.out.len();
        Rate {
            seconds,
            elements: n,
            bytes: self.subject.streams() * n * T::DTYPE.bytes(),
        }
    }

    /// One call of the serial kernel on `k`.
    fn call(&mut self, k: Kernels) {
        let (a, b, c) = (
            black_box(&self.a[..]),
            black_box(&self.b[..]),
            black_box(&self.c[..]),
        );
        let width = row_width(a.len());
        match self.subject {
            Subject::Unary(op) => T::unary(op)(k, a, &mut self.out),
            Subject::Backward(_, bw) => T::backward(bw)(k, a, b, &mut self.out),
            Subject::Gated(op) => T::gated(op)(k, a, b, &mut self.out),
            Subject::GatedBackward(_, bw) => {
                T::gated_backward(bw)(k, (a, b, c), (&mut self.out, &mut self.out2));
            }
            Subject::Rowwise(op) => T::rowwise(op)(k, a, width, &mut self.out),
            Subject::RowwiseBackward(_, bw) => {
                T::rowwise_backward(bw)(k, a, b, width, &mut self.out)
            }
            Subject::Sliced(Sliced::Prelu) => k.prelu(a, &self.channels, width, &mut self.out),
            Subject::Sliced(Sliced::Rational) => {
                k.rational(a, &RATIONAL_LEAKY_P, &RATIONAL_LEAKY_B, &mut self.out);
            }
            Subject::Sliced(Sliced::SmoothSwiglu) => {
                k.smooth_swiglu(a, b, &self.scale, &mut self.out);
            }
            Subject::Sliced(Sliced::PreluBackward) => {
                let (alpha, grads) = (&self.channels, (&mut self.out, &mut self.out2));
                k.prelu_backward(a, b, alpha, width, grads.0, grads.1);
            }
            Subject::Sliced(Sliced::RationalBackward) => {
                let (p, q) = (&RATIONAL_LEAKY_P, &RATIONAL_LEAKY_B);
                let (ga, gb) = (&mut self.coefficients.0, &mut self.coefficients.1);
                k.rational_backward(a, b, p, q, &mut self.out, (ga, gb));
            }
        }
        black_box((&mut self.out, &mut self.out2));
    }

    /// One call of the `par` kernel `f` on `k`, in the current rayon pool.
    fn call_par(&mut self, f: ParKernel<T>, k: Kernels) {
        let (a, b, c) = (
            black_box(&self.a[..]),
            black_box(&self.b[..]),
            black_box(&self.c[..]),
        );
        let (p, width) = (k.par(), row_width(a.len()));
        match f {
            ParKernel::Map(f) => f(p, a, &mut self.out),
            ParKernel::Map2(f) => f(p, a, b, &mut self.out),
            ParKernel::Rows(f) => f(p, a, width, &mut self.out),
            ParKernel::GatedBackward(f) => f(p, (a, b, c), (&mut self.out, &mut self.out2)),
            ParKernel::Rows2(f) => f(p, a, b, width, &mut self.out),
            ParKernel::Sliced(Sliced::Prelu) => p.prelu(a, &self.channels, width, &mut self.out),
            ParKernel::Sliced(Sliced::Rational) => {
                p.rational(a, &RATIONAL_LEAKY_P, &RATIONAL_LEAKY_B, &mut self.out);
            }
            ParKernel::Sliced(Sliced::SmoothSwiglu) => {
                p.smooth_swiglu(a, b, &self.scale, &mut self.out);
            }
            ParKernel::Sliced(Sliced::PreluBackward) => {
                let (alpha, grads) = (&self.channels, (&mut self.out, &mut self.out2));
                p.prelu_backward(a, b, alpha, width, grads.0, grads.1);
            }
            ParKernel::Sliced(Sliced::RationalBackward) => {
                let (pc, qc) = (&RATIONAL_LEAKY_P, &RATIONAL_LEAKY_B);
                let (ga, gb) = (&mut self.coefficients.0, &mut self.coefficients.1);
                p.rational_backward(a, b, pc, qc, &mut self.out, (ga, gb));
            }
        }
        black_box((&mut self.out, &mut self.out2));
    }

    /// The serial kernel on `k`, on the calling thread.
    pub fn serial(&mut self, k: Kernels, budget: Budget) -> Rate {
        let seconds = median_seconds(budget, || self.call(k));
        self.rate(seconds)
    }

    /// The `par` kernel on `k` inside `pool` (with the catalogue's per-op threshold below which
    /// it runs serially), or `None` where the catalogue has no `par` entry for `T`.
    pub fn parallel(&mut self, k: Kernels, pool: &ThreadPool, budget: Budget) -> Option<Rate> {
        let f = T::par(self.subject)?;
        let seconds = pool.install(|| median_seconds(budget, || self.call_par(f, k)));
        Some(self.rate(seconds))
    }
}

/// The bandwidth line: `copy_from_slice` of `size` elements of `T` into a preallocated
/// slice, on the calling thread or (with `pool`) split over it the way `par` splits an op:
/// serially below [`DEFAULT_MIN_LEN`] elements, else in chunks of a multiple of 64 elements,
/// about four per thread.
pub fn copy_line<T: Elem>(size: usize, pool: Option<&ThreadPool>, budget: Budget) -> Rate {
    let src: Vec<T> = spread(size, -8.0, 8.0);
    let mut dst = vec![T::from_f32(1.0); size];
    let seconds = match pool {
        Some(pool) if size >= DEFAULT_MIN_LEN => {
            let chunk = size
                .div_ceil(4 * pool.current_num_threads())
                .max(DEFAULT_MIN_LEN / 2)
                .next_multiple_of(64);
            pool.install(|| {
                median_seconds(budget, || {
                    dst.par_chunks_mut(chunk)
                        .zip(black_box(&src[..]).par_chunks(chunk))
                        .for_each(|(d, s)| d.copy_from_slice(s));
                    black_box(&mut dst);
                })
            })
        }
        _ => median_seconds(budget, || {
            dst.copy_from_slice(black_box(&src[..]));
            black_box(&mut dst);
        }),
    };
    Rate {
        seconds,
        elements: size,
        bytes: 2 * size * T::DTYPE.bytes(),
    }
}
