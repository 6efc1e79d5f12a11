package dev.downhill.data;

import dev.downhill.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What a CSV file may hold, decided once, the same for training and prediction. */
class CsvStrictnessTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path f = dir.resolve("data.csv");
        Files.writeString(f, text);
        return f;
    }

    private String error(String text) throws IOException {
        Path f = csv(text);
        return assertThrows(InputException.class, () -> CsvReader.values("y").read(f)).getMessage();
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstColumnsName() throws IOException {
        DataSet d = CsvReader.values("y").read(csv("\uFEFFa,y\r\n1,2\r\n"));
        assertEquals(List.of("a"), d.featureNames());
        assertArrayEquals(new float[] {1}, d.features());
    }

    @Test
    void quotedCellsMayHoldSeparatorsQuotesAndLineBreaks() throws IOException {
        DataSet d = CsvReader.values("y").read(csv("\"a, the first\",\"b \"\"quoted\"\"\nover two lines\",y\n1,\"2\",3\n"));
        assertEquals(List.of("a, the first", "b \"quoted\"\nover two lines"), d.featureNames());
        assertArrayEquals(new float[] {1, 2}, d.features());
        // a cell over two lines: the row after it starts on line 4, and its problem says so
        Path f = csv("a,note,y\n1,\"two\nlines\",2\n3,fine,x\n");
        assertEquals(f + ":4:3: column 'y': 'x' is not a number",
                assertThrows(InputException.class, () -> CsvReader.values("y").features("a").read(f)).getMessage());
    }

    @Test
    void textThatIsNotCsvOrNotUtf8NamesItsLine() throws IOException {
        assertEquals(dir.resolve("data.csv") + ":3: not readable as CSV (Unexpected character after closing quote: 'b' (0x62))",
                error("a,y\n1,2\n\"1\"b,2\n"));
        Path latin1 = dir.resolve("data.csv");
        Files.write(latin1, "a,y\n1,2\n3,\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals(latin1 + ":3: not UTF-8 text (is this a CSV file?)",
                assertThrows(InputException.class, () -> CsvReader.values("y").read(latin1)).getMessage());
    }

    @Test
    void onlyDecimalNumbersAreNumbers() throws IOException {
        for (String text : List.of("0x1p3", "2f", "2.5d", "1_000", "١", ".", "1e", "e5", "--1", "1.2.3", "+")) {
            assertEquals(dir.resolve("data.csv") + ":2:1: column 'a': '" + text + "' is not a number",
                    error("a,y\n" + text + ",1\n"), text);
        }
        DataSet d = CsvReader.values("y").read(csv("a,y\n-1.5e3,+.5\n2.,1E-2\n"));
        assertArrayEquals(new float[] {-1500, 2}, d.features());
        assertArrayEquals(new float[] {0.5f, 0.01f}, d.targets());
    }

    @Test
    void numbersBeyondFloat32AreNamedAsSuch() throws IOException {
        assertEquals(dir.resolve("data.csv") + ":2:1: column 'a': '1e39' is beyond float32's range (±3.4e38)",
                error("a,y\n1e39,1\n"));
    }

    @Test
    void headersNeedDistinctNonEmptyNames() throws IOException {
        assertEquals(dir.resolve("data.csv") + ":1:3: column name 'a' appears twice in the header (columns 1 and 3)",
                error("a,y,a\n1,2,3\n"));
        assertEquals(dir.resolve("data.csv") + ":1:2: column 2 has no name in the header", error("a,,y\n1,2,3\n"));
        assertEquals("the target column 'y' is named twice", assertThrows(InputException.class,
                () -> new CsvReader(List.of("y", "y"), List.of(), CsvReader.Targets.VALUES, 0).read(csv("a,y\n1,2\n")))
                .getMessage());
    }

    @Test
    void aBlankFirstLineIsNotAnEmptyFile() throws IOException {
        assertEquals(dir.resolve("data.csv") + ":1: the first line is blank; it must be the header naming the columns",
                error("\na,y\n1,2\n"));
    }

    @Test
    void longValuesAreCutInMessages() throws IOException {
        String huge = "x".repeat(10_000_000);
        String message = error("a,y\n" + huge + ",1\n");
        assertEquals(dir.resolve("data.csv") + ":2:1: column 'a': '" + "x".repeat(40) + "… (10000000 characters)' is not a number",
                message);
    }

    @Test
    void aFileWithoutLineEndsStopsAtTheLineLimitNotAtTheMemory() {
        Path zero = Path.of("/dev/zero");
        String message = assertThrows(InputException.class, () -> CsvReader.values("y").read(zero)).getMessage();
        assertEquals("/dev/zero:1: holds a NUL byte; not a text file", message);
    }

    @Test
    void anOverlongLineIsRefused() throws IOException {
        String message = error("a".repeat(Table.MAX_LINE_CHARS + 1) + "\n");
        assertEquals(dir.resolve("data.csv") + ":1: a line longer than " + Table.MAX_LINE_CHARS + " characters; not a CSV file?",
                message);
    }

    @Test
    void standardisingValuesNearTheFloatLimitStaysFinite() {
        DataSet d = new DataSet(new float[] {-3e38f, 3e38f, 3e38f}, new float[] {0, 1, 1}, List.of("a"), List.of("y"));
        Standardizer s = Standardizer.fit(d);
        for (float v : s.apply(d).features()) assertTrue(Float.isFinite(v), "standardised " + v);
    }

    @Test
    void savedStatisticsAreCheckedOnLoad() {
        assertEquals("m: the saved standard deviation of input 1 is 0.0 (it must be a positive number)",
                assertThrows(InputException.class, () -> Standardizer.fromSaved("0,0", "1,0", 2, "m")).getMessage());
        assertEquals("m: the saved mean of input 0 is NaN",
                assertThrows(InputException.class, () -> Standardizer.fromSaved("NaN,0", "1,1", 2, "m")).getMessage());
        assertEquals("m: the standardisation statistics hold 1 means and 2 standard deviations for a network of 2 inputs",
                assertThrows(InputException.class, () -> Standardizer.fromSaved("0", "1,1", 2, "m")).getMessage());
        assertEquals("m: the standardisation statistics are incomplete (no std)",
                assertThrows(InputException.class, () -> Standardizer.fromSaved("0,0", null, 2, "m")).getMessage());
        assertEquals("m: the saved standard deviation of input 0 is Infinity (it must be a positive number)",
                assertThrows(InputException.class, () -> Standardizer.fromSaved("0", "Infinity", 1, "m")).getMessage());
    }
}
