//! The `pcapkit` command: parse the command line, call the library, exit with its code.
#![forbid(unsafe_code)]

mod cli;

fn main() {
    // SIGINT/SIGTERM remove the temporary report files and exit 130/143.
    if let Err(err) = pcapkit::dump::remove_temporaries_on_signals() {
        eprintln!("pcapkit: warning: cannot handle SIGINT/SIGTERM: {err}");
    }
    let cli = cli::Cli::from_args();
    std::process::exit(cli::run(cli));
}
