use simd_activations::*;
use std::time::Instant;
fn main() {
    let k = Kernels::new(Isa::Avx2).unwrap();
    for n in [1usize << 12, 1 << 16, 1 << 20] {
        let x: Vec<f32> = (0..n).map(|i| -8.0 + 16.0 * i as f32 / n as f32).collect();
        let mut y = x.clone();
        for op in catalogue::OPS {
            let reps = (1usize << 26) / n;
            let mut best = f64::MAX;
            for _ in 0..5 {
                let t = Instant::now();
                for _ in 0..reps { (op.eval_f32)(k, std::hint::black_box(&x), &mut y); }
                best = best.min(t.elapsed().as_secs_f64());
            }
            println!("{n:>8} {:<10} {:.2} Gelem/s", op.name, (reps * n) as f64 / best / 1e9);
        }
    }
}
