//! A short fuzzing run of every target on each `cargo test`: the committed seed corpora
//! (`fuzz/corpus/TARGET/`) and deterministic mutations of them (bytes flipped, inserted,
//! removed; pieces cut and repeated; seeds spliced). Every input must come back without a
//! panic. Long runs use libFuzzer on the same functions (`fuzz/README.md`).

use std::path::Path;
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift), so a failure reproduces exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Interesting bytes for text formats: separators, quotes, digits, NUL, high bytes.
const DICTIONARY: &[&[u8]] = &[
    b"\0",
    b"\n",
    b",",
    b"\"",
    b":",
    b"=",
    b"[",
    b"]",
    b"{",
    b"}",
    b"..",
    b"/",
    b"\\",
    b"+",
    b"-",
    b"(",
    b")",
    b"@",
    b"9999999999",
    b"\xff\xfe",
    b"PK\x03\x04",
    b"'",
    b"[[table]]",
    b"email:",
    b"phone:",
    b"y",
    b"d",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(7) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let word = DICTIONARY[rng.below(DICTIONARY.len())];
                let i = rng.below(out.len() + 1);
                out.splice(i..i, word.iter().copied());
            }
            2 if !out.is_empty() => {
                let i = rng.below(out.len());
                let n = 1 + rng.below((out.len() - i).min(64));
                out.drain(i..i + n);
            }
            3 if !out.is_empty() => {
                let i = rng.below(out.len());
                let n = 1 + rng.below((out.len() - i).min(256));
                let piece: Vec<u8> = out[i..i + n].to_vec();
                let at = rng.below(out.len() + 1);
                out.splice(at..at, piece);
            }
            4 => {
                let other = &seeds[rng.below(seeds.len())];
                let cut = rng.below(out.len() + 1);
                let from = rng.below(other.len() + 1);
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            5 if !out.is_empty() => out.truncate(rng.below(out.len())),
            _ => {
                let i = rng.below(out.len() + 1);
                out.insert(i, rng.next() as u8);
            }
        }
    }
    out.truncate(1 << 20);
    out
}

#[test]
fn every_fuzz_target_survives_its_corpus_and_mutations() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (name, target) in privops::fuzzing::TARGETS {
        let dir = corpus.join(name);
        let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        seeds.sort();
        assert!(!seeds.is_empty(), "{name} has no seeds");
        for seed in &seeds {
            target(seed);
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ name.len() as u64);
        let started = Instant::now();
        let mut runs = 0;
        while runs < 3000 && started.elapsed() < Duration::from_secs(3) {
            let seed = &seeds[rng.below(seeds.len())];
            let input = mutate(&mut rng, &seeds, seed);
            target(&input);
            runs += 1;
        }
        assert!(runs >= 50, "{name}: only {runs} runs");
    }
}
