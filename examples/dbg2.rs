use simd_activations::*;
fn main() {
    let a = f32::from_bits(0xb78c8051);
    let b = f32::from_bits(0xb78c8014);
    let k = Kernels::detect();
    for &(x, far) in &[(a, false), (b, false), (a, true), (b, true)] {
        let mut inp = [x; 16];
        if far {
            inp[15] = -100.0;
        }
        let mut o = [0f32; 16];
        k.sigmoid(&inp, &mut o);
        println!(
            "x={x:e} far={far} out={:#010x} exact={:e}",
            o[0].to_bits(),
            reference::sigmoid(x as f64)
        );
    }
    // scan monotonicity in the fast path between a and b
    let (lo, hi) = (b.to_bits(), a.to_bits());
    let xs: Vec<f32> = (lo..=hi).rev().map(f32::from_bits).collect();
    let mut ys = vec![0f32; xs.len()];
    k.sigmoid(&xs, &mut ys);
    let drops = ys.windows(2).filter(|w| w[1] < w[0]).count();
    println!("fast path scan: {} inputs, {drops} drops", xs.len());
}
