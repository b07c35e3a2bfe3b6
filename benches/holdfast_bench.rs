fn main() {
    println!("bench placeholder");
}
