use simd_activations::*;
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let isa: Isa = args.get(1).map(|s| s.parse().unwrap()).unwrap_or(Isa::Avx2);
    let k = Kernels::new(isa).unwrap();
    for n in [1usize << 12, 1 << 16, 1 << 20] {
        let x: Vec<f32> = (0..n).map(|i| -8.0 + 16.0 * i as f32 / n as f32).collect();
        let mut y = x.clone();
        print!("{n:>8}");
        for op in catalogue::OPS {
            if args.len() > 2 && !args[2..].iter().any(|a| a == op.name) {
                continue;
            }
            let reps = ((1usize << 24) / n).max(1);
            let mut best = f64::MAX;
            for _ in 0..7 {
                let t = Instant::now();
                for _ in 0..reps {
                    (op.eval_f32)(k, std::hint::black_box(&x), &mut y);
                }
                best = best.min(t.elapsed().as_secs_f64());
            }
            print!(" {}={:.2}", op.name, (reps * n) as f64 / best / 1e9);
        }
        println!();
    }
}
