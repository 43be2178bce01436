fn main() {
    std::process::exit(nemsis::cli::main());
}
