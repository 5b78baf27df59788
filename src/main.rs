//! The `pcapkit` command: parse the command line, call the library, exit with its code.

mod cli;

fn main() {
    let cli = cli::Cli::from_args();
    std::process::exit(cli::run(cli));
}
