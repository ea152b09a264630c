//! The kernels on `ndarray` arrays of any layout: [`apply_inplace`] and [`apply`] run a slice
//! kernel on an array without copying when its memory allows it, and say what they did.
//!
//! ```sh
//! cargo run --release --example ndarray
//! ```
//!
//! The kernels take slices, and an elementwise op does not care about the order of the
//! elements, so a helper tries, in order:
//! 1. the array's whole memory as one slice (`as_slice_memory_order`), which covers standard
//!    (C) layout, Fortran layout, transposed views and reversed axes: one call;
//! 2. one call per lane along an axis of stride 1 (e.g. a block of columns `s![.., 8..72]`,
//!    whose rows are contiguous but not adjacent);
//! 3. otherwise (e.g. every other column, `s![.., ..;2]`) a copy into a contiguous buffer,
//!    the kernel on it, and a copy back.
//!
//! Out of place, steps 1 and 2 also need the output's memory to line up with the input's:
//! allocate the output in the input's layout (see the `Fortran` output below) to keep the
//! single call. The example runs `gelu` on f32 and bf16 arrays through every path, checks each
//! element against the crate's f64 reference within the catalogue's budget, and checks that
//! every path gives the same bits as the one call on the whole standard-layout array (the
//! kernels' results never depend on how a slice is split). Exit code 1 on any mismatch.
//!
//! Copy the two helpers and [`Strategy`] as they are; pass the kernel as a closure, e.g.
//! `apply_inplace(&mut a, |x| simd_activations::swish_inplace(x, 1.702))`.

use std::fmt;
use std::process::ExitCode;

use ndarray::{
    Array2, ArrayRef, ArrayView2, ArrayViewMut2, Axis, Dimension, Ix2, ShapeBuilder, SliceInfo,
    SliceInfoElem, Zip, s,
};
use simd_activations::{self as sa, Element, bf16, ulp::ulp_distance_in};

/// How [`apply_inplace`] or [`apply`] ran the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strategy {
    /// One call on the whole memory of the array (contiguous, in any axis order).
    Whole,
    /// One call per lane along `axis`, which has stride 1 (in input and output).
    Lanes { axis: usize, lanes: usize },
    /// Copied into a contiguous buffer, the kernel run there, the results copied back.
    Gathered,
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Strategy::Whole => write!(f, "1 call on the whole memory"),
            Strategy::Lanes { axis, lanes } => write!(f, "{lanes} calls, lanes of axis {axis}"),
            Strategy::Gathered => write!(f, "gathered, 1 call, scattered"),
        }
    }
}

/// The longest axis of length > 1 along which every array of `strides` has stride 1.
fn unit_stride_axis(shape: &[usize], strides: &[&[isize]]) -> Option<usize> {
    (0..shape.len())
        .filter(|&ax| shape[ax] > 1 && strides.iter().all(|s| s[ax] == 1))
        .max_by_key(|&ax| shape[ax])
}

/// Runs the in-place slice kernel `kernel` (e.g. `simd_activations::gelu_inplace`) on every
/// element of `a`, whatever its layout.
fn apply_inplace<T, D, F>(a: &mut ArrayRef<T, D>, kernel: F) -> Strategy
where
    T: Copy,
    D: Dimension,
    F: Fn(&mut [T]),
{
    if let Some(all) = a.as_slice_memory_order_mut() {
        kernel(all);
        return Strategy::Whole;
    }
    if let Some(axis) = unit_stride_axis(a.shape(), &[a.strides()]) {
        let mut lanes = 0;
        for mut lane in a.lanes_mut(Axis(axis)) {
            kernel(
                lane.as_slice_mut()
                    .expect("a lane of stride 1 is contiguous"),
            );
            lanes += 1;
        }
        return Strategy::Lanes { axis, lanes };
    }
    let mut buf: Vec<T> = a.iter().copied().collect();
    kernel(&mut buf);
    for (dst, src) in a.iter_mut().zip(buf) {
        *dst = src;
    }
    Strategy::Gathered
}

/// Runs the out-of-place slice kernel `kernel` (e.g. `simd_activations::gelu`) from `x` into
/// `out`, whatever their layouts; panics unless their shapes agree.
fn apply<T, D, F>(x: &ArrayRef<T, D>, out: &mut ArrayRef<T, D>, kernel: F) -> Strategy
where
    T: Copy,
    D: Dimension,
    F: Fn(&[T], &mut [T]),
{
    assert_eq!(
        x.shape(),
        out.shape(),
        "apply: input and output shapes differ"
    );
    // The two memory-order slices hold the same elements at the same places only when the
    // strides agree.
    if x.strides() == out.strides() {
        let x_all = x.as_slice_memory_order();
        if let (Some(x_all), Some(out_all)) = (x_all, out.as_slice_memory_order_mut()) {
            kernel(x_all, out_all);
            return Strategy::Whole;
        }
    }
    if let Some(axis) = unit_stride_axis(x.shape(), &[x.strides(), out.strides()]) {
        let mut lanes = 0;
        Zip::from(x.lanes(Axis(axis)))
            .and(out.lanes_mut(Axis(axis)))
            .for_each(|x, mut out| {
                kernel(
                    x.as_slice().expect("a lane of stride 1 is contiguous"),
                    out.as_slice_mut()
                        .expect("a lane of stride 1 is contiguous"),
                );
                lanes += 1;
            });
        return Strategy::Lanes { axis, lanes };
    }
    let buf: Vec<T> = x.iter().copied().collect();
    let mut results = buf.clone(); // any values: the kernel overwrites them
    kernel(&buf, &mut results);
    for (dst, src) in out.iter_mut().zip(results) {
        *dst = src;
    }
    Strategy::Gathered
}

const ROWS: usize = 48;
const COLS: usize = 80;

/// A view of the test array: a slice of it, then optionally transposed.
struct Case {
    name: &'static str,
    slice: SliceInfo<[SliceInfoElem; 2], Ix2, Ix2>,
    transpose: bool,
}

impl Case {
    fn view<'a, T>(&self, a: &'a Array2<T>) -> ArrayView2<'a, T> {
        let v = a.slice(self.slice);
        if self.transpose { v.reversed_axes() } else { v }
    }

    fn view_mut<'a, T>(&self, a: &'a mut Array2<T>) -> ArrayViewMut2<'a, T> {
        let v = a.slice_mut(self.slice);
        if self.transpose { v.reversed_axes() } else { v }
    }
}

fn cases() -> [Case; 6] {
    let case = |name, slice, transpose| Case {
        name,
        slice,
        transpose,
    };
    [
        case("standard layout", s![.., ..], false),
        case("transposed (a.t())", s![.., ..], true),
        case("reversed columns ..;-1", s![.., ..;-1], false),
        case("column block .., 8..72", s![.., 8..72], false),
        case("its transpose", s![.., 8..72], true),
        case("every other column ..;2", s![.., ..;2], false),
    ]
}

/// Input values spread evenly over [-8, 8] (a golden-ratio sequence, so neighbours differ).
fn input<T: Element>() -> Array2<T> {
    Array2::from_shape_fn((ROWS, COLS), |(i, j)| {
        let k = (i * COLS + j) as f64;
        T::from_f64(16.0 * (k * 0.618_033_988_749_895).fract() - 8.0)
    })
}

/// The outcome of one case.
struct Check {
    /// Largest error of an output element against the f64 reference, in ULP of the type.
    max_ulp: f64,
    /// Every output element has the bits of the whole-array call's (and, in place, every
    /// element outside the view is unchanged).
    same_bits: bool,
}

/// Compares the elements of `got` (an output over the case's view) with the f64 reference of
/// the matching inputs `x`, and with `whole` (gelu of the whole input, one call).
fn check<T: Element>(
    x: &ArrayRef<T, Ix2>,
    got: &ArrayRef<T, Ix2>,
    whole: &ArrayRef<T, Ix2>,
) -> Check {
    let mut c = Check {
        max_ulp: 0.0,
        same_bits: true,
    };
    Zip::from(x)
        .and(got)
        .and(whole)
        .for_each(|&x, &got, &whole| {
            let exact = sa::reference::gelu(f64::from(x.to_f32()));
            c.max_ulp = c.max_ulp.max(ulp_distance_in(got, exact));
            c.same_bits &= got.to_f32().to_bits() == whole.to_f32().to_bits();
        });
    c
}

/// Runs every case in place and out of place on `T`; returns whether all passed.
fn run<T: Element>(budget: f64) -> bool {
    let a0 = input::<T>();
    let mut whole = a0.clone();
    assert_eq!(apply_inplace(&mut whole, sa::gelu_inplace), Strategy::Whole);

    println!("\n{}, budget {budget} ULP of {}", T::NAME, T::NAME);
    println!(
        "{:<10}{:<26}{:>8}{:>12}  {:<31}{:>8}  same bits as whole",
        "", "view", "shape", "strides", "strategy", "max ULP"
    );
    let mut ok = true;
    let mut report = |mode: &str,
                      name: &str,
                      shape: &[usize],
                      strides: &[isize],
                      strategy: Strategy,
                      c: Check| {
        let pass = c.max_ulp <= budget && c.same_bits;
        ok &= pass;
        println!(
            "{mode:<10}{name:<26}{:>8}{:>12}  {:<31}{:>8.3}  {}{}",
            format!("{}x{}", shape[0], shape[1]),
            format!("{strides:?}"),
            strategy.to_string(),
            c.max_ulp,
            if c.same_bits { "yes" } else { "NO" },
            if pass { "" } else { "  FAILED" },
        );
    };

    for case in cases() {
        // In place: the view of a fresh copy changes, the rest of the array must not.
        let mut a = a0.clone();
        let mut v = case.view_mut(&mut a);
        let (shape, strides) = (v.shape().to_vec(), v.strides().to_vec());
        let strategy = apply_inplace(&mut v, sa::gelu_inplace);
        let mut c = check(&case.view(&a0), &case.view(&a), &case.view(&whole));
        let mut untouched = a0.clone();
        untouched.slice_mut(case.slice).assign(&a.slice(case.slice));
        c.same_bits &= untouched == a;
        report("in place", case.name, &shape, &strides, strategy, c);

        // Out of place into a new standard-layout array.
        let x = case.view(&a0);
        let mut out = Array2::from_elem(x.raw_dim(), T::from_f32(0.0));
        let strategy = apply(&x, &mut out, sa::gelu);
        let c = check(&x, &out, &case.view(&whole));
        report("to C", case.name, x.shape(), x.strides(), strategy, c);

        // Out of place into a new array of the input's layout, where that is Fortran's.
        if x.t().is_standard_layout() && !x.is_standard_layout() {
            let mut out = Array2::from_elem(x.raw_dim().f(), T::from_f32(0.0));
            let strategy = apply(&x, &mut out, sa::gelu);
            let c = check(&x, &out, &case.view(&whole));
            report("to F", case.name, x.shape(), x.strides(), strategy, c);
        }
    }
    ok
}

fn main() -> ExitCode {
    println!(
        "gelu on {ROWS}x{COLS} ndarray arrays and views of them, ISA {}",
        sa::Kernels::global().isa()
    );
    let gelu = sa::catalogue::OPS
        .iter()
        .find(|op| op.name == "gelu")
        .expect("gelu is in the catalogue");
    // The catalogue's budgets in ULP of f32 and of bf16.
    let ok = run::<f32>(gelu.ulp_f32) & run::<bf16>(gelu.ulp_half);
    if ok {
        println!("\nall paths within budget and bitwise equal to the whole-array call");
        ExitCode::SUCCESS
    } else {
        eprintln!("ndarray: a check FAILED");
        ExitCode::FAILURE
    }
}
