//! The `beian` command line; all behaviour lives in the library's `cli` module.

// See Cargo.toml: glibc's malloc was slow after the evaluation's millions of small frees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(beian::cli::main());
}
