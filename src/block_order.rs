//! The order in which the elementwise loops visit their whole blocks: a choice of speed only
//! (every block is computed on its own, so the bits are the same either way), made per CPU.

use std::fmt;
use std::sync::OnceLock;

/// The environment variable that forces the [`BlockOrder`] of every elementwise loop
/// (`forward` or `alias-aware`), read once per process, for benchmarking and for testing both
/// orders on one machine.
pub const BLOCK_ORDER_ENV_VAR: &str = "SIMD_ACTIVATIONS_BLOCK_ORDER";

/// How the elementwise loops (unary, gated, unary and gated backward) order their whole blocks
/// of vectors. The partial head and tail blocks and the results do not depend on it.
///
/// On Intel cores a load whose address matches the low 12 bits of an earlier, still pending
/// store waits for it (4K aliasing). A forward loop whose destination starts less than 2 KiB
/// after a source, modulo 4 KiB, hits that on every block; running such a loop last to first
/// avoids it (about a fifth of the throughput of L2-resident loops on one Xeon core). On AMD
/// Zen 5 the same placements cost a forward loop nothing measurable, while the last-to-first
/// order runs at 55 to 70% of the forward one (one EPYC core, 64 Ki f32, AVX-512 and AVX2, at
/// every offset tried), so there every loop runs forward.
///
/// # Example
/// ```
/// use simd_activations::BlockOrder;
/// let order = BlockOrder::global();
/// assert_eq!(order.name().parse::<BlockOrder>().unwrap(), order);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockOrder {
    /// First block to last, always.
    Forward,
    /// Last to first where the forward order would make loads wait for the stores of earlier
    /// blocks (a destination that starts less than 2 KiB after a source, modulo 4 KiB; the
    /// order with fewer such source and destination pairs wins, forward on a tie).
    AliasAware,
}

impl BlockOrder {
    /// Both orders, in the order of their names' documentation.
    pub const ALL: [BlockOrder; 2] = [BlockOrder::Forward, BlockOrder::AliasAware];

    /// The better order for this CPU: [`AliasAware`](BlockOrder::AliasAware) on Intel x86
    /// cores (CPUID vendor `GenuineIntel`), [`Forward`](BlockOrder::Forward) elsewhere.
    pub fn detect() -> BlockOrder {
        #[cfg(target_arch = "x86_64")]
        {
            let id = std::arch::x86_64::__cpuid(0);
            let vendor = [id.ebx, id.edx, id.ecx].map(u32::to_le_bytes);
            if vendor.as_flattened() == b"GenuineIntel" {
                return BlockOrder::AliasAware;
            }
        }
        BlockOrder::Forward
    }

    /// The order every elementwise loop of this process uses, chosen on first use: the one
    /// named by `SIMD_ACTIVATIONS_BLOCK_ORDER` if set, else [`BlockOrder::detect`]. An unknown
    /// name prints an error to stderr and falls back to detection.
    pub fn global() -> BlockOrder {
        static GLOBAL: OnceLock<BlockOrder> = OnceLock::new();
        *GLOBAL.get_or_init(|| match std::env::var(BLOCK_ORDER_ENV_VAR) {
            Err(_) => BlockOrder::detect(),
            Ok(name) => name.parse().unwrap_or_else(|e| {
                let detected = BlockOrder::detect();
                eprintln!("simd-activations: {BLOCK_ORDER_ENV_VAR}: {e}; using {detected}");
                detected
            }),
        })
    }

    /// The name `SIMD_ACTIVATIONS_BLOCK_ORDER` and the report use: `forward` or `alias-aware`.
    pub fn name(self) -> &'static str {
        match self {
            BlockOrder::Forward => "forward",
            BlockOrder::AliasAware => "alias-aware",
        }
    }
}

impl fmt::Display for BlockOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing a block order name that is neither `forward` nor `alias-aware`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownBlockOrder(pub String);

impl fmt::Display for UnknownBlockOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown block order {:?} (expected forward or alias-aware)",
            self.0
        )
    }
}

impl std::error::Error for UnknownBlockOrder {}

impl std::str::FromStr for BlockOrder {
    type Err = UnknownBlockOrder;

    /// Parses a name as [`BlockOrder::name`] prints it, ignoring case and surrounding spaces.
    fn from_str(s: &str) -> Result<BlockOrder, UnknownBlockOrder> {
        let wanted = s.trim().to_ascii_lowercase();
        BlockOrder::ALL
            .into_iter()
            .find(|order| order.name() == wanted)
            .ok_or_else(|| UnknownBlockOrder(s.to_string()))
    }
}
