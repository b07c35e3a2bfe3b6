//! The `holdfast` command line (contract: ../shared/docs/cli.md, repeated in the README).
//! Each subcommand calls one core API function and prints its result: as JSON with `--json`,
//! as text otherwise. Errors go to stderr as `error: ...` with exit code 1; usage errors exit 2.

mod foi;
mod output;
mod records;
mod secrets;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::api::{self, ImportOptions, ImportProgress, SearchRequest, ShowOptions, SortOrder};
use crate::archive::{self, Unlock};
use crate::crypto::keychain::OsKeychain;
use crate::error::{Error, Result};
use crate::import::{DateOrder, Format};

const EXAMPLES: &str = "\
Examples:
  holdfast init
  holdfast import 'WhatsApp Chat with Alice.zip' --tz Europe/London
  holdfast conversations
  holdfast show 3 --limit 50
  HOLDFAST_PASSPHRASE=... holdfast stats --json";

#[derive(Parser, Debug)]
#[command(name = "holdfast", version, about = "Keep work chats as records: an encrypted local archive", after_help = EXAMPLES)]
pub struct Cli {
    /// The archive folder [default: ~/.local/share/holdfast]
    #[arg(long, global = true, env = "HOLDFAST_ARCHIVE", value_name = "DIR")]
    archive: Option<PathBuf>,
    /// Read the passphrase from this file (after HOLDFAST_PASSPHRASE, before the keychain)
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Print the result as one JSON document on stdout
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a new encrypted archive (prints the recovery key once)
    #[command(after_help = "Example:\n  holdfast --archive ~/records init")]
    Init,
    /// Import chat exports (WhatsApp, Signal, Telegram, Slack, e-mail); each file or folder is
    /// one atomic source
    #[command(
        after_help = "Examples:\n  holdfast import 'WhatsApp Chat with Alice.txt' --tz Europe/London\n  holdfast import chat.zip --date-order dmy --tag procurement\n  holdfast import 'Slack export.zip' ~/Downloads/Telegram/result.json mail.mbox\n  holdfast import --signal-desktop"
    )]
    Import(ImportArgs),
    /// Counts of sources, conversations, messages and attachments
    #[command(after_help = "Example:\n  holdfast stats --json")]
    Stats,
    /// List conversations, most recently active first
    #[command(after_help = "Example:\n  holdfast conversations")]
    Conversations,
    /// Show a conversation's messages (a page, or the context around one message)
    #[command(
        after_help = "Examples:\n  holdfast show 3\n  holdfast show 3 --offset 200 --limit 100\n  holdfast show 3 --around 1234 --context 5"
    )]
    Show(ShowArgs),
    /// Search every message (query language: see the README or `holdfast search --help`)
    #[command(after_help = SEARCH_HELP)]
    Search(SearchArgs),
    /// Rebuild the search index from the archive
    #[command(after_help = "Example:\n  holdfast reindex")]
    Reindex,
    /// Check the database, every stored file and the search index; exit 1 on any problem
    #[command(after_help = "Example:\n  holdfast verify --json")]
    Verify,
    /// Change the passphrase (with the current one, or with the recovery key)
    #[command(
        after_help = "Examples:\n  holdfast passwd\n  HOLDFAST_RECOVERY_KEY='ABCD-...' HOLDFAST_NEW_PASSPHRASE=... holdfast passwd"
    )]
    Passwd(PasswdArgs),
    /// Let this device's keychain remember the archive key, or forget it
    #[command(after_help = "Examples:\n  holdfast keychain remember\n  holdfast keychain forget")]
    Keychain {
        #[command(subcommand)]
        action: KeychainAction,
    },
    /// Tags and triage (business, personal, transitory) on conversations and messages
    Tag {
        #[command(subcommand)]
        action: records::TagCommand,
    },
    /// Retention policies: what is kept how long, and what happens then
    Policy {
        #[command(subcommand)]
        action: records::PolicyCommand,
    },
    /// Holds: scopes nothing may be deleted or disposed of from until released
    Hold {
        #[command(subcommand)]
        action: records::HoldCommand,
    },
    /// Why a message is kept and until when
    Retention {
        #[command(subcommand)]
        action: records::RetentionCommand,
    },
    /// What retention says is due; with --apply, destroy it and write a certificate
    #[command(
        after_help = "Examples:\n  holdfast dispose --dry-run --as-of 2031-03-01\n  holdfast dispose --apply --approver 'Dana Reyes (Records Officer)'"
    )]
    Dispose(records::DisposeArgs),
    /// Delete messages for good (refused while a hold covers them); leaves a certificate
    #[command(
        after_help = "Example:\n  holdfast delete 120 121 --reason 'personal, sent by mistake'"
    )]
    Delete(records::DeleteArgs),
    /// Disposal certificates: what was destroyed, when, by whom, with hashes
    #[command(
        after_help = "Examples:\n  holdfast certificates\n  holdfast certificates 4 --export cert-4.json"
    )]
    Certificates(records::CertificatesArgs),
    /// FOI, EIR, subject-access and US FOIA requests: clocks, scope held at once, searches
    Foi {
        #[command(subcommand)]
        action: foi::FoiCommand,
    },
    /// Write a consistent, still-encrypted copy of the archive into a new folder, with a
    /// manifest of every file's SHA-256 (works while the desktop app has the archive open)
    #[command(
        after_help = "Examples:\n  holdfast backup /media/usb/holdfast-2026-11-26\n  holdfast restore /media/usb/holdfast-2026-11-26   (checks every hash first)"
    )]
    Backup {
        /// A new or empty folder
        dest: PathBuf,
    },
    /// Restore a backup as the archive (--archive): every file checked against the manifest,
    /// the copy opened with the passphrase or the recovery key and verified before it takes
    /// the archive's place; an archive already there is moved aside, never deleted
    Restore(RestoreArgs),
    /// The tamper-evident audit log
    Audit {
        #[command(subcommand)]
        action: records::AuditCommand,
    },
}

#[derive(Args, Debug)]
struct ImportArgs {
    /// Export files or folders to import
    #[arg(required_unless_present = "signal_desktop", value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Also import this computer's Signal Desktop profile (quit Signal first)
    #[arg(long)]
    signal_desktop: bool,
    /// The export's format
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    format: FormatArg,
    /// IANA time zone the exporting phone was set to [default: this computer's zone]
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// Date field order when the file cannot tell (WhatsApp)
    #[arg(long, value_enum)]
    date_order: Option<DateOrderArg>,
    /// Tag the imported conversations
    #[arg(long, value_name = "NAME")]
    tag: Option<String>,
}

#[derive(Args, Debug)]
struct ShowArgs {
    /// Conversation id (see `holdfast conversations`)
    conversation: String,
    /// Show the messages around this message id
    #[arg(long, value_name = "MESSAGE")]
    around: Option<String>,
    /// How many messages before and after --around
    #[arg(long, value_name = "N", requires = "around")]
    context: Option<u64>,
    /// First message to show (0 is the oldest)
    #[arg(long, value_name = "N", conflicts_with = "around")]
    offset: Option<u64>,
    /// How many messages to show [default: 200]
    #[arg(long, value_name = "N", conflicts_with = "around")]
    limit: Option<u64>,
}

const SEARCH_HELP: &str = "\
Query language:
  budget approval          every word must match (accents and case do not matter)
  \"site meeting\"           an exact phrase
  invoice OR quote         either
  contract -draft          without (also: NOT draft)
  (invoice OR quote) -draft
  procure*  recieve~       prefix; fuzzy (1 edit; recieve~2 for 2)
  from:priya  in:\"Northgate depot\"  in:3  app:whatsapp  tag:business
  kind:media  has:attachment
  before:2024-03-01  after:2024-01  on:2024-02-29  date:2024-01..2024-03
Dates are read in --tz (default: this computer's zone); after: includes the day, before: does not.

Examples:
  holdfast search 'invoice from:tom after:2025-02'
  holdfast search '\"roof membrane\" OR scaffold*' --sort newest --limit 50";

#[derive(Args, Debug)]
struct SearchArgs {
    /// The query
    query: String,
    /// How many hits to show [default: 20]
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Skip this many hits (for the next page)
    #[arg(long, value_name = "N")]
    offset: Option<u64>,
    /// Order of the hits
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    sort: SortArg,
    /// IANA time zone for dates in the query and the month facet
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum SortArg {
    Relevance,
    Newest,
    Oldest,
}

#[derive(Args, Debug)]
struct RestoreArgs {
    /// The backup folder (holding holdfast-backup.json)
    from: PathBuf,
    /// Unlock with the recovery key in this file instead of the passphrase (or HOLDFAST_RECOVERY_KEY)
    #[arg(long, value_name = "FILE")]
    recovery_key_file: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct PasswdArgs {
    /// Unlock with the recovery key in this file instead of the passphrase (or HOLDFAST_RECOVERY_KEY)
    #[arg(long, value_name = "FILE")]
    recovery_key_file: Option<PathBuf>,
    /// Read the new passphrase from this file (or HOLDFAST_NEW_PASSPHRASE; else prompted twice)
    #[arg(long, value_name = "FILE")]
    new_passphrase_file: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum KeychainAction {
    /// Store the archive key in the OS keychain so this device unlocks without the passphrase
    Remember,
    /// Remove the archive key from the OS keychain
    Forget,
    /// Whether the keychain remembers the key
    Status,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum FormatArg {
    Auto,
    Whatsapp,
    Signal,
    Telegram,
    Slack,
    Email,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum DateOrderArg {
    Dmy,
    Mdy,
    Ymd,
}

impl From<DateOrderArg> for DateOrder {
    fn from(d: DateOrderArg) -> Self {
        match d {
            DateOrderArg::Dmy => DateOrder::Dmy,
            DateOrderArg::Mdy => DateOrder::Mdy,
            DateOrderArg::Ymd => DateOrder::Ymd,
        }
    }
}

/// Entry point of the `holdfast` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce(&T)) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).expect("API types serialise")
        );
    } else {
        human(value);
    }
}

fn archive_dir(cli: &Cli) -> Result<PathBuf> {
    match &cli.archive {
        Some(d) => Ok(d.clone()),
        None => archive::default_dir(),
    }
}

fn run(cli: &Cli) -> Result<()> {
    let dir = archive_dir(cli)?;
    let pf = cli.passphrase_file.as_deref();
    match &cli.command {
        Command::Init => {
            let pass = secrets::new_passphrase(pf, secrets::PASSPHRASE_ENV, "New passphrase")?;
            let (_, result) = api::init(&dir, &pass)?;
            emit(cli.json, &result, output::init);
        }
        Command::Import(args) => {
            let mut archive = secrets::unlock(&dir, pf)?;
            let opts = ImportOptions {
                format: match args.format {
                    FormatArg::Auto => None,
                    FormatArg::Whatsapp => Some(Format::Whatsapp),
                    FormatArg::Signal => Some(Format::Signal),
                    FormatArg::Telegram => Some(Format::Telegram),
                    FormatArg::Slack => Some(Format::Slack),
                    FormatArg::Email => Some(Format::Email),
                },
                tz: args.tz.clone(),
                date_order: args.date_order.map(Into::into),
                tag: args.tag.clone(),
            };
            let mut paths = args.paths.clone();
            if args.signal_desktop {
                paths.push(crate::import::signal::desktop::default_profile().ok_or_else(|| {
                    Error::NotFound(
                        "no Signal Desktop profile found in this computer's usual places: give its folder as a PATH".into(),
                    )
                })?);
            }
            let mut bar = output::ImportBar::new(std::io::stderr().is_terminal());
            let mut progress = |e: ImportProgress| bar.update(e);
            let report = api::import(&mut archive, &paths, &opts, &mut progress);
            bar.finish();
            emit(cli.json, &report?, output::import);
        }
        Command::Stats => {
            let archive = secrets::unlock(&dir, pf)?;
            emit(cli.json, &api::stats(&archive)?, output::stats);
        }
        Command::Conversations => {
            let archive = secrets::unlock(&dir, pf)?;
            emit(
                cli.json,
                &api::conversations(&archive)?,
                output::conversations,
            );
        }
        Command::Show(args) => {
            let archive = secrets::unlock(&dir, pf)?;
            let opts = ShowOptions {
                offset: args.offset,
                limit: args.limit,
                around: args.around.clone(),
                context: args.context,
            };
            emit(
                cli.json,
                &api::show(&archive, &args.conversation, &opts)?,
                output::show,
            );
        }
        Command::Search(args) => {
            let mut archive = secrets::unlock(&dir, pf)?;
            let req = SearchRequest {
                query: args.query.clone(),
                limit: args.limit,
                offset: args.offset,
                sort: match args.sort {
                    SortArg::Relevance => SortOrder::Relevance,
                    SortArg::Newest => SortOrder::Newest,
                    SortArg::Oldest => SortOrder::Oldest,
                },
                tz: args.tz.clone(),
                facets: Some(true),
            };
            emit(cli.json, &api::search(&mut archive, &req)?, output::search);
        }
        Command::Reindex => {
            let mut archive = secrets::unlock(&dir, pf)?;
            let mut bar = output::ImportBar::new(std::io::stderr().is_terminal());
            let report = api::reindex(&mut archive, &mut |done, total| {
                bar.update(ImportProgress::Indexing { done, total })
            });
            bar.finish();
            emit(cli.json, &report?, output::reindex);
        }
        Command::Verify => {
            let mut archive = secrets::unlock(&dir, pf)?;
            let report = api::verify(&mut archive)?;
            emit(cli.json, &report, output::verify);
            if !report.ok {
                return Err(Error::Corrupt(
                    "verification found problems (listed above)".into(),
                ));
            }
        }
        Command::Passwd(args) => passwd(cli, &dir, args)?,
        Command::Backup { dest } => {
            let mut archive = secrets::unlock(&dir, pf)?;
            emit(cli.json, &api::backup(&mut archive, dest)?, output::backup);
        }
        Command::Restore(args) => {
            let recovery = secrets::recovery_key(args.recovery_key_file.as_deref())?;
            let report = api::restore(&args.from, &dir, &mut |staged| match &recovery {
                Some(key) => api::open(staged, Unlock::Recovery(key)),
                None => secrets::unlock(staged, pf),
            })?;
            emit(cli.json, &report, output::restore);
        }
        Command::Keychain { action } => keychain(cli, &dir, action)?,
        Command::Tag { action } => records::tag(cli.json, &dir, pf, action)?,
        Command::Policy { action } => records::policy(cli.json, &dir, pf, action)?,
        Command::Hold { action } => records::hold(cli.json, &dir, pf, action)?,
        Command::Retention { action } => records::retention(cli.json, &dir, pf, action)?,
        Command::Dispose(args) => records::dispose(cli.json, &dir, pf, args)?,
        Command::Delete(args) => records::delete(cli.json, &dir, pf, args)?,
        Command::Certificates(args) => records::certificates(cli.json, &dir, pf, args)?,
        Command::Audit { action } => records::audit(cli.json, &dir, pf, action)?,
        Command::Foi { action } => foi::run(cli.json, &dir, pf, action)?,
    }
    Ok(())
}

#[derive(Serialize)]
struct PasswdResult {
    archive: String,
    changed: bool,
    unlocked_with: &'static str,
}

fn passwd(cli: &Cli, dir: &Path, args: &PasswdArgs) -> Result<()> {
    let (mut archive, how) = match secrets::recovery_key(args.recovery_key_file.as_deref())? {
        Some(key) => {
            if !archive::exists(dir) {
                return Err(Error::NoArchive(dir.to_path_buf()));
            }
            (api::open(dir, Unlock::Recovery(&key))?, "recovery_key")
        }
        None => (
            secrets::unlock(dir, cli.passphrase_file.as_deref())?,
            "passphrase",
        ),
    };
    let new = secrets::new_passphrase(
        args.new_passphrase_file.as_deref(),
        secrets::NEW_PASSPHRASE_ENV,
        "New passphrase",
    )?;
    api::change_passphrase(&mut archive, &new)?;
    let result = PasswdResult {
        archive: dir.display().to_string(),
        changed: true,
        unlocked_with: how,
    };
    emit(cli.json, &result, |_| {
        println!("Passphrase changed. The recovery key is unchanged and still works.")
    });
    Ok(())
}

fn keychain(cli: &Cli, dir: &Path, action: &KeychainAction) -> Result<()> {
    let status = match action {
        KeychainAction::Remember => {
            let mut archive = secrets::unlock(dir, cli.passphrase_file.as_deref())?;
            api::keychain_remember(&mut archive, &OsKeychain)?
        }
        KeychainAction::Forget => api::keychain_forget(dir, &OsKeychain)?,
        KeychainAction::Status => {
            if !archive::exists(dir) {
                return Err(Error::NoArchive(dir.to_path_buf()));
            }
            api::KeychainStatus {
                archive: dir.display().to_string(),
                remembered: api::status(dir, None).keychain_remembered,
            }
        }
    };
    emit(cli.json, &status, output::keychain);
    Ok(())
}
