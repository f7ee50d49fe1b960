//! `cargo afl fuzz` target: see harness.rs. Each input gets a fresh registry so every finding
//! replays from its input alone.

mod harness;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        harness::run(&mut harness::registry(), data);
    });
}
