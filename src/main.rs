fn main() -> std::process::ExitCode {
    privops::cli::main()
}
