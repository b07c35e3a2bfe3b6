//! FOI, EIR, subject-access and US FOIA requests: cases with statutory clocks
//! ([`clock`], over the holiday tables of [`calendar`]), scope held by a hold, searches logged
//! against the case.

pub mod bundle;
pub mod calendar;
pub mod cases;
pub mod clock;
pub mod pdf;
pub mod produced;
pub mod redact;
pub mod review;
pub mod rsmf;
