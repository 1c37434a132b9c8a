//! The `hirechat` binary: everything lives in the library; see `cli`.

fn main() -> std::process::ExitCode {
    hirechat::cli::main()
}
