//! FOI, EIR, subject-access and US FOIA requests: cases with statutory clocks
//! ([`clock`], over the holiday tables of [`calendar`]), scope held by a hold, searches logged
//! against the case.

pub mod calendar;
pub mod cases;
pub mod clock;
