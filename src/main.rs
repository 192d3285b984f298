//! The `oxidy` command: parse the arguments, run the plan, exit with its code.

use std::process::ExitCode;

use clap::Parser;

use oxidy::cli::Args;
use oxidy::run::{ERROR_CODE, run};
use oxidy_modules::Platform;

fn main() -> ExitCode {
    let args = Args::parse();
    match args.plan().and_then(|plan| run::<Platform>(&plan, &mut std::io::stdout().lock())) {
        Ok(outcome) => outcome.code(),
        Err(e) => {
            eprintln!("{}", e.report());
            ExitCode::from(ERROR_CODE)
        }
    }
}
