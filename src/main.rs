fn main() -> std::process::ExitCode {
    holdfast::tune_allocator();
    holdfast::cli::main()
}
