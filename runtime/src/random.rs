//! Counter-based random numbers for `rand`, `randn` and `randint` (spec §8): the
//! Philox4x32-10 block function of Random123 (Salmon et al., "Parallel random numbers: as
//! easy as 1, 2, 3", SC'11) keyed by the seed, and the transforms from its output words to
//! uniform floats, normal floats and integers in a range.
//!
//! Element `i` of a flattened result is a pure function of `(seed, i)`: it reads the block
//! of counter `(i mod 2^32, i >> 32, 0, 0)` (and, for a rejected `randint` draw only, the
//! blocks whose third counter word is 1, 2, …), so results are the same on every machine
//! and for every thread count or fill order. The transforms (see `docs/decisions.md`):
//!
//! - a *64-bit draw* is two consecutive output words, low word first:
//!   `words[0] | words[1] << 32` (the first draw of a block) and `words[2] | words[3] << 32`
//!   (the second);
//! - `rand`: the block's first draw `u`, mapped to `(u >> 11) * 2^-53` in [0, 1);
//! - `randn`: Box–Muller on the block's two draws mapped as `rand` does, `u1` and `u2`:
//!   `sqrt(-2 ln(1 - u1)) * cos(2π u2)` (`1 - u1` lies in (0, 1], so the log is finite),
//!   using the portable `libm` functions so that no platform library changes the bits;
//! - `randint(low, high)`: Lemire's nearly divisionless method on the range
//!   `n = high - low` (1 ≤ n < 2^64): a draw `x` gives `m = x * n` (128 bits); when the low
//!   64 bits of `m` are below `2^64 mod n` the draw is rejected and the next one is taken
//!   (the block's second draw, then the first and second draws of the blocks with third
//!   counter word 1, 2, …); the result is `low + (m >> 64)`, exactly uniform.

/// The two Philox4x32 multipliers.
const PHILOX_M0: u32 = 0xD251_1F53;
const PHILOX_M1: u32 = 0xCD9E_8D57;
/// The Weyl key increments (golden ratio and sqrt(3) - 1 in 32-bit fixed point).
const PHILOX_W0: u32 = 0x9E37_79B9;
const PHILOX_W1: u32 = 0xBB67_AE85;

/// Philox4x32 with `rounds` rounds of the block function on `counter` under `key`
/// (Random123's `philox4x32_R`: the key is bumped before every round but the first).
pub fn philox4x32(rounds: u32, counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut counter = counter;
    let mut key = key;
    for round in 0..rounds {
        if round > 0 {
            key[0] = key[0].wrapping_add(PHILOX_W0);
            key[1] = key[1].wrapping_add(PHILOX_W1);
        }
        let product0 = u64::from(PHILOX_M0) * u64::from(counter[0]);
        let product1 = u64::from(PHILOX_M1) * u64::from(counter[2]);
        let (hi0, lo0) = ((product0 >> 32) as u32, product0 as u32);
        let (hi1, lo1) = ((product1 >> 32) as u32, product1 as u32);
        counter = [
            hi1 ^ counter[1] ^ key[0],
            lo1,
            hi0 ^ counter[3] ^ key[1],
            lo0,
        ];
    }
    counter
}

/// Philox4x32-10, the generator of spec §8.
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    philox4x32(10, counter, key)
}

/// The Philox key of a seed: its 64 bits (two's complement), low word first.
pub fn key_of_seed(seed: i64) -> [u32; 2] {
    let bits = seed as u64;
    [bits as u32, (bits >> 32) as u32]
}

/// The two 64-bit draws of the block `(index, retry)`: counter words
/// `(index mod 2^32, index >> 32, retry, 0)`.
fn block_draws(key: [u32; 2], index: u64, retry: u32) -> [u64; 2] {
    let words = philox4x32_10([index as u32, (index >> 32) as u32, retry, 0], key);
    [
        u64::from(words[0]) | (u64::from(words[1]) << 32),
        u64::from(words[2]) | (u64::from(words[3]) << 32),
    ]
}

/// A 64-bit draw mapped to [0, 1) with 53 random bits (spec §8).
pub fn unit_f64(draw: u64) -> f64 {
    (draw >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Element `index` of `rand(…, seed=)`: uniform in [0, 1).
pub fn uniform(key: [u32; 2], index: u64) -> f64 {
    unit_f64(block_draws(key, index, 0)[0])
}

/// Element `index` of `randn(…, seed=)`: standard normal by Box–Muller (module docs).
pub fn normal(key: [u32; 2], index: u64) -> f64 {
    let [draw1, draw2] = block_draws(key, index, 0);
    let radius = libm::sqrt(-2.0 * libm::log(1.0 - unit_f64(draw1)));
    radius * libm::cos(2.0 * std::f64::consts::PI * unit_f64(draw2))
}

/// Element `index` of `randint(low, low + range, …, seed=)` for `range >= 1`: uniform in
/// `low .. low + range` by Lemire's method with rejection (module docs).
pub fn integer(key: [u32; 2], index: u64, low: i64, range: u64) -> i64 {
    debug_assert!(range >= 1, "randint of an empty range");
    // 2^64 mod range: low products below it are the biased ones.
    let threshold = range.wrapping_neg() % range;
    let mut retry = 0u32;
    loop {
        for draw in block_draws(key, index, retry) {
            let product = u128::from(draw) * u128::from(range);
            if (product as u64) >= threshold {
                return low.wrapping_add((product >> 64) as u64 as i64);
            }
        }
        // A rejection has probability below range / 2^64 per draw; the retry word only
        // wraps after 2^33 rejections in a row.
        retry = retry.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random123's `tests/kat_vectors`, the three `philox4x32 10` lines
    /// (counter, key, expected output).
    const KNOWN_ANSWERS: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
        (
            [0, 0, 0, 0],
            [0, 0],
            [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8],
        ),
        (
            [u32::MAX; 4],
            [u32::MAX; 2],
            [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd],
        ),
        (
            [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
            [0xa409_3822, 0x299f_31d0],
            [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1],
        ),
    ];

    #[test]
    fn philox4x32_10_known_answers() {
        for (counter, key, expected) in KNOWN_ANSWERS {
            assert_eq!(
                philox4x32_10(counter, key),
                expected,
                "counter {counter:x?}"
            );
        }
    }

    const N_DRAWS: u64 = 1_000_000;

    #[test]
    fn uniform_mean_and_variance() {
        let key = key_of_seed(42);
        let (mut sum, mut sum_sq) = (0.0f64, 0.0f64);
        for index in 0..N_DRAWS {
            let x = uniform(key, index);
            assert!((0.0..1.0).contains(&x));
            sum += x;
            sum_sq += x * x;
        }
        let mean = sum / N_DRAWS as f64;
        let variance = sum_sq / N_DRAWS as f64 - mean * mean;
        // Standard errors: 0.29 / 1000 for the mean, 0.089 / 1000 for the variance.
        assert!((mean - 0.5).abs() < 0.0015, "mean {mean}");
        assert!(
            (variance - 1.0 / 12.0).abs() < 0.0005,
            "variance {variance}"
        );
    }

    #[test]
    fn normal_mean_and_variance() {
        let key = key_of_seed(-7);
        let (mut sum, mut sum_sq, mut beyond_2) = (0.0f64, 0.0f64, 0u64);
        for index in 0..N_DRAWS {
            let z = normal(key, index);
            assert!(z.is_finite());
            sum += z;
            sum_sq += z * z;
            beyond_2 += u64::from(z.abs() > 2.0);
        }
        let mean = sum / N_DRAWS as f64;
        let variance = sum_sq / N_DRAWS as f64 - mean * mean;
        // Standard errors: 0.001 for the mean, 0.0014 for the variance.
        assert!(mean.abs() < 0.005, "mean {mean}");
        assert!((variance - 1.0).abs() < 0.007, "variance {variance}");
        // P(|z| > 2) = 0.0455.
        let tail = beyond_2 as f64 / N_DRAWS as f64;
        assert!((tail - 0.0455).abs() < 0.001, "tail {tail}");
    }

    #[test]
    fn integer_covers_its_range_uniformly() {
        let key = key_of_seed(2024);
        let mut counts = [0u64; 10];
        for index in 0..N_DRAWS {
            let k = integer(key, index, -3, 10);
            assert!((-3..7).contains(&k), "{k}");
            counts[(k + 3) as usize] += 1;
        }
        for count in counts {
            // Expected 100000 each; standard error 300.
            assert!((count as i64 - 100_000).abs() < 1_500, "{counts:?}");
        }
    }

    #[test]
    fn integer_extreme_ranges() {
        let key = key_of_seed(1);
        // The whole i64 range (n = 2^64 - 1) and a range where half the draws are rejected.
        for index in 0..1000 {
            let _ = integer(key, index, i64::MIN, u64::MAX);
            let k = integer(key, index, -(1 << 62), (1 << 63) + 1);
            assert!((-(1i64 << 62)..=(1i64 << 62)).contains(&k));
        }
        // A single value.
        assert_eq!(integer(key, 5, 9, 1), 9);
    }

    #[test]
    fn elements_depend_only_on_seed_and_index() {
        let key = key_of_seed(3);
        assert_eq!(uniform(key, 17), uniform(key, 17));
        assert_ne!(uniform(key, 17), uniform(key, 18));
        assert_ne!(uniform(key_of_seed(4), 17), uniform(key, 17));
    }
}
