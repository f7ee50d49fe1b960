//! The `beian` command line; all behaviour lives in the library's `cli` module.

fn main() {
    std::process::exit(beian::cli::main());
}
