//! Shell completions and the man page, generated from the clap definition of the command line
//! ([`crate::cli::Args`]), so they list exactly the commands and flags `oxidy` accepts.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Args;
use crate::error::Error;

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut command = Args::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "oxidy", &mut out);
    out
}

/// A man page in roff: oxidy(1) for no command, else the command's own page, oxidy-render(1)
/// say, with its arguments and options. No date, so one version always gives the same bytes.
pub fn man_page(command: Option<&str>) -> Result<Vec<u8>, Error> {
    let mut oxidy = Args::command();
    // Built, so that each command's page lists the global options (`--root`) too.
    oxidy.build();
    let page = match command {
        None => oxidy,
        Some(name) => {
            let names = || oxidy.get_subcommands().map(|s| s.get_name());
            let Some(sub) = oxidy.find_subcommand(name) else {
                let suggestion = crate::suggest::closest(name, names()).map(str::to_owned);
                return Err(Error::UnknownCommand { name: name.to_owned(), suggestion });
            };
            let full = format!("oxidy-{name}");
            sub.clone()
                .name(full)
                .bin_name(format!("oxidy {name}"))
                .version(oxidy.get_version().unwrap_or_default().to_owned())
        }
    };
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = clap_mangen::Man::new(page).render(&mut out);
    Ok(out)
}
