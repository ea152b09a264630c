use simd_activations::*;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let op = catalogue::OpSpec::find(&args[1]).unwrap();
    let k = Kernels::detect();
    let edges: Vec<f32> = args[2..].iter().map(|s| s.parse().unwrap()).collect();
    for w in edges.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (lo, hi) = (a.to_bits().min(b.to_bits()), a.to_bits().max(b.to_bits()));
        let x: Vec<f32> = (lo..=hi).map(f32::from_bits).collect();
        let mut y = vec![0f32; x.len()];
        (op.eval_f32)(k, &x, &mut y);
        let (mut m, mut at) = (0f64, 0f32);
        for (&xi, &yi) in x.iter().zip(&y) {
            let e = ulp::ulp_distance(yi, (op.reference)(xi as f64));
            if e > m {
                m = e;
                at = xi;
            }
        }
        println!("[{a}, {b}] max {m:.3} at {at}");
    }
}
