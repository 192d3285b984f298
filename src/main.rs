//! The `oxidy` command: parse the arguments, run the plan, exit with its code.

use std::process::ExitCode;

use clap::Parser;

use oxidy::cli::Args;
use oxidy::run::{ERROR_CODE, run_presented};
use oxidy_modules::Platform;

fn main() -> ExitCode {
    let args = Args::parse();
    let stdout = &mut std::io::stdout().lock();
    match args.resolve().and_then(|(plan, how)| run_presented::<Platform>(&plan, &how, stdout)) {
        Ok(outcome) => outcome.code(),
        Err(e) => {
            eprintln!("{}", e.report());
            ExitCode::from(ERROR_CODE)
        }
    }
}
