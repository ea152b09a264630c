use rayon::prelude::*;
use simd_activations::*;
fn main() {
    let op = catalogue::OpSpec::find(&std::env::args().nth(1).unwrap()).unwrap();
    let k = Kernels::detect();
    let span = 1u64 << 20;
    let found: Vec<(u32, f32, f32)> = (0..(1u64 << 32) / span)
        .into_par_iter()
        .flat_map_iter(|b| {
            let x: Vec<f32> = (b * span..(b + 1) * span)
                .map(|i| f32::from_bits(i as u32))
                .collect();
            let mut y = vec![0f32; x.len()];
            (op.eval_f32)(k, &x, &mut y);
            let neg = b * span >= 1 << 31;
            let mut v = Vec::new();
            for i in 1..x.len() {
                if x[i].is_nan() || x[i - 1].is_nan() {
                    continue;
                }
                if (neg && y[i] > y[i - 1]) || (!neg && y[i] < y[i - 1]) {
                    v.push((x[i].to_bits(), y[i - 1], y[i]));
                }
            }
            v
        })
        .collect();
    for (bits, a, b) in found {
        let x = f32::from_bits(bits);
        let xp = f32::from_bits(bits - 1);
        println!(
            "drop at x={x:e} ({bits:#x}): f(prev {xp:e})={a:e} ({:#x}) f(x)={b:e} ({:#x}); exact prev {:.12e} x {:.12e}",
            a.to_bits(),
            b.to_bits(),
            (op.reference)(xp as f64),
            (op.reference)(x as f64)
        );
    }
}
