package dev.downhill.data;

import dev.downhill.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CsvReaderTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path f = dir.resolve("data.csv");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void targetsByNameTheRestAreFeatures() throws IOException {
        DataSet d = CsvReader.values("y").read(csv("a,y,\"b\"\n1,2,3\n4,5,6\n\n"));
        assertEquals(List.of("a", "b"), d.featureNames());
        assertEquals(List.of("y"), d.targetNames());
        assertArrayEquals(new float[] {1, 3, 4, 6}, d.features());
        assertArrayEquals(new float[] {2, 5}, d.targets());
    }

    @Test
    void listedFeaturesOnlyAndSeveralTargets() throws IOException {
        DataSet d = new CsvReader(List.of("y1", "y2"), List.of("b"), CsvReader.Targets.VALUES, 0)
                .read(csv("a,b,y1,y2\n1,2,3,4\n5,6,7,8\n"));
        assertArrayEquals(new float[] {2, 6}, d.features());
        assertArrayEquals(new float[] {3, 4, 7, 8}, d.targets());
    }

    @Test
    void classLabelsBecomeOneHot() throws IOException {
        DataSet d = new CsvReader(List.of("c"), List.of(), CsvReader.Targets.CLASS_INDEX, 0)
                .read(csv("x,c\n0.5,2\n0.1,0\n"));
        assertEquals(List.of("c=0", "c=1", "c=2"), d.targetNames());
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, d.targets());
    }

    @Test
    void everyBadCellIsReportedWithLineAndColumn() throws IOException {
        Path f = dir.resolve("data.csv");
        assertMessage(f + ": 4 problems in 4 rows:\n"
                        + "  " + f + ":3:2: column 'b': 'x' is not a number\n"
                        + "  " + f + ":4: has 2 cells, the header has 3\n"
                        + "  " + f + ":5:2: column 'b' is empty\n"
                        + "  " + f + ":6:2: column 'b': 'NaN' is not finite",
                "a,b,y\n1,2,3\n4,x,6\n7,8\n1,,3\n1,NaN,2\n", "y");
        assertMessage(dir.resolve("data.csv") + ":2: has 2 cells, the header has 3", "a,b,y\n1,2\n", "y");
        assertMessage(dir.resolve("data.csv") + ":3: empty row", "a,b,y\n1,2,3\n\n1,2,3\n", "y");
        assertMessage(dir.resolve("data.csv") + ":2:3: column 'y': 'Infinity' is not finite", "a,b,y\n1,2,Infinity\n", "y");
        assertMessage(dir.resolve("data.csv") + ": unknown target column 'z' (columns: a, b, y)", "a,b,y\n1,2,3\n", "z");
        assertMessage(dir.resolve("data.csv") + ": the file is empty", "", "y");
        assertMessage(dir.resolve("data.csv") + ": no data rows after the header", "a,y\n\n", "y");
        assertMessage(dir.resolve("nothing.csv") + ": no such file", null, "y");
    }

    @Test
    void classLabelsOutOfRangeOrNotIntegersAreErrors() throws IOException {
        Path f = csv("x,c\n1,0\n2,3\n3,1.5\n");
        InputException e = assertThrows(InputException.class,
                () -> new CsvReader(List.of("c"), List.of(), CsvReader.Targets.CLASS_INDEX, 3).read(f));
        assertEquals(f + ": 2 problems in 2 rows:\n"
                + "  " + f + ":3:2: class label 3 in column 'c' is out of range for 3 classes\n"
                + "  " + f + ":4:2: class label '1.5' in column 'c' is not a non-negative integer", e.getMessage());
        assertEquals(java.util.Set.of(InputException.Remedy.DROP_BAD_ROWS), e.remedies(), "the classes were declared: no more to declare");
        InputException undeclared = assertThrows(InputException.class,
                () -> new CsvReader(List.of("c"), List.of(), CsvReader.Targets.CLASS_INDEX, 0).read(csv("x,c\n1,0\n2,5000\n")));
        assertFalse(undeclared.getMessage().contains("--"), "the library names the problem, not a flag: " + undeclared.getMessage());
        assertEquals(java.util.Set.of(InputException.Remedy.DECLARE_CLASSES), undeclared.remedies());
    }

    @Test
    void theFirstTwentyProblemsAreListedThenCounted() throws IOException {
        StringBuilder text = new StringBuilder("a,y\n");
        for (int i = 0; i < 25; i++) text.append("x").append(i).append(",1\n");
        Path f = csv(text.append("1,2\n").toString());
        String message = assertThrows(InputException.class, () -> CsvReader.values("y").read(f)).getMessage();
        List<String> lines = message.lines().toList();
        assertEquals(22, lines.size(), message);
        assertEquals(f + ": 25 problems in 25 rows:", lines.getFirst());
        assertEquals("  " + f + ":21:1: column 'a': 'x19' is not a number", lines.get(20));
        assertEquals("  ... and 5 more", lines.getLast());
    }

    @Test
    void badRowsCanBeDroppedAndAreCounted() throws IOException {
        Path f = csv("a,y\n1,0\nz,1\n3,1\n4,7\n5,\n");
        CsvReader.Result r = CsvReader.values("y").targetsFor(dev.downhill.network.Loss.BCE).read(f, true);
        assertEquals(3, r.droppedRows());
        assertArrayEquals(new float[] {1, 3}, r.data().features());
        assertArrayEquals(new float[] {0, 1}, r.data().targets());
        InputException e = assertThrows(InputException.class, () -> CsvReader.values("y").targetsFor(dev.downhill.network.Loss.BCE).read(f));
        assertTrue(e.getMessage().contains(f + ":5:2: target 'y' is 7.0, outside [0, 1], which bce needs"), e.getMessage());
        Path allBad = csv("a,y\nq,1\n");
        assertEquals(allBad + ": every row has a problem; nothing is left to train on",
                assertThrows(InputException.class, () -> CsvReader.values("y").read(allBad, true)).getMessage());
    }

    @Test
    void categoricalColumnsBecomeSortedOneHotFeaturesAndPredictionRefusesAnUnknownCategory() throws IOException {
        Path f = csv("size,color,y\n1,red,0\n2, blue ,1\n3,red,0\n4,green,1\n");
        CsvReader.Result r = CsvReader.values("y").categorical(List.of("color")).read(f, false);
        assertEquals(List.of("size", "color=blue", "color=green", "color=red"), r.data().featureNames());
        assertArrayEquals(new float[] {1, 0, 0, 1, 2, 1, 0, 0, 3, 0, 0, 1, 4, 0, 1, 0}, r.data().features());
        assertEquals(java.util.Map.of("color", List.of("blue", "green", "red")), r.categories());

        // prediction reads the file's column through the model's categories, whatever the file's order of them
        Path later = dir.resolve("later.csv");
        Files.writeString(later, "color,size\ngreen,5\nred,6\n");
        assertArrayEquals(new float[] {5, 0, 1, 0, 6, 0, 0, 1},
                CsvReader.readColumns(later, r.data().featureNames(), r.categories()));
        Files.writeString(later, "color,size\ngreen,5\npurple,6\n");
        assertEquals(later + ":3:1: column 'color': 'purple' is not one of the categories the model was trained with (blue, green, red)",
                assertThrows(InputException.class, () -> CsvReader.readColumns(later, r.data().featureNames(), r.categories())).getMessage());
        assertEquals(f + ":3:2: column 'color' is empty", assertThrows(InputException.class,
                () -> CsvReader.values("y").categorical(List.of("color")).read(csv("size,color,y\n1,red,0\n2,,1\n"))).getMessage());
        assertEquals(f + ":2:2: column 'color': 'red' is not a number", assertThrows(InputException.class,
                () -> CsvReader.values("y").read(csv("size,color,y\n1,red,0\n"))).getMessage(), "only declared columns are categories");
    }

    private void assertMessage(String expected, String content, String target) throws IOException {
        Path f = content == null ? dir.resolve("nothing.csv") : csv(content);
        assertEquals(expected, assertThrows(InputException.class, () -> CsvReader.values(target).read(f)).getMessage());
    }
}
