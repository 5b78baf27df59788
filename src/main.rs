//! The `pcapkit` command: parse the command line, call the library, exit with its code.

mod cli;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    std::process::exit(cli::run(cli));
}
