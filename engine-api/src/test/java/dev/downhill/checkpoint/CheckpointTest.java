package dev.downhill.checkpoint;

import dev.downhill.InputException;
import dev.downhill.network.Activation;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CheckpointTest {
    @TempDir
    Path dir;

    private final Network net = Network.builder(3).dense(4, Activation.TANH).dense(2, Activation.SOFTMAX)
            .loss(Loss.CROSS_ENTROPY).seed(9).build();

    @Test
    void roundTripIsBitIdenticalWithArchitectureAndMetadata() throws IOException {
        Path file = dir.resolve("m.safetensors");
        float[] params = net.initialParameters();
        params[0] = Float.MIN_VALUE;
        params[1] = -0f;
        Checkpoint.save(file, net, params, Map.of("downhill.note", "quote \" and \\ survive"));
        Checkpoint back = Checkpoint.load(file);
        assertEquals(net, back.network());
        assertArrayEquals(params, back.parameters());
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back.parameters()[1]));
        assertEquals("quote \" and \\ survive", back.metadata().get("downhill.note"));
        assertEquals(0, (Files.size(file) - 8 - headerLength(file)) % 4);
        assertEquals(0, (8 + headerLength(file)) % 8, "data starts 8-byte aligned");
    }

    @Test
    void everyTruncationIsRejectedWithAClearMessage() throws IOException {
        Path file = dir.resolve("m.safetensors");
        Checkpoint.save(file, net, net.initialParameters(), Map.of());
        byte[] whole = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.safetensors");
        for (int length = 0; length < whole.length; length++) {
            Files.write(cut, Arrays.copyOf(whole, length));
            InputException e = assertThrows(InputException.class, () -> Checkpoint.load(cut), "length " + length);
            assertTrue(e.getMessage().startsWith(cut + ": not a valid safetensors checkpoint: "), e.getMessage());
        }
    }

    @Test
    void savingIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("m.safetensors");
        Checkpoint.save(file, net, net.initialParameters(), Map.of());
        byte[] before = Files.readAllBytes(file);
        // a save that cannot finish (its target is a folder) must not touch the old checkpoint
        Path folder = dir.resolve("folder.safetensors");
        Files.createDirectories(folder.resolve("inside"));
        assertThrows(InputException.class, () -> Checkpoint.save(folder, net, net.initialParameters(), Map.of()));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of("folder.safetensors", "m.safetensors"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left behind");
        }
    }

    @Test
    void shapesThatDoNotMatchTheNetworkAreRejected() {
        Path file = dir.resolve("m.safetensors");
        Checkpoint.save(file, net, net.initialParameters(), Map.of());
        Network other = Network.builder(5).dense(4, Activation.TANH).dense(2, Activation.SOFTMAX).loss(Loss.CROSS_ENTROPY).build();
        assertEquals(file + ": tensor '0.weight' has shape [4, 3], network 5-4-2 needs [4, 5]",
                assertThrows(InputException.class, () -> Checkpoint.loadParameters(file, other)).getMessage());
    }

    @Test
    void readsAPyTorchStateDictWithoutMetadata() throws IOException {
        // as safetensors.torch.save_file writes nn.Sequential(Linear(2,2), Sigmoid(), Linear(2,1)).state_dict()
        String header = "{\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[8,24]},"
                + "\"2.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]},"
                + "\"2.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[28,36]}}";
        float[] data = {0.5f, -0.5f, 1, 2, 3, 4, 9, 7, 8};
        Path file = dir.resolve("torch.safetensors");
        Files.write(file, raw(header, data));
        Network seed = Network.builder(2).dense(2, Activation.SIGMOID).dense(1, Activation.IDENTITY).build();
        assertArrayEquals(new float[] {1, 2, 3, 4, 0.5f, -0.5f, 7, 8, 9}, Checkpoint.loadParameters(file, seed));
        assertTrue(assertThrows(InputException.class, () -> Checkpoint.load(file)).getMessage()
                .contains("no Downhill architecture in the metadata"));
    }

    @Test
    void corruptHeadersAreRejected() throws IOException {
        assertCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlapping or missing data");
        assertCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "needs 12 bytes, its offsets span 8");
        assertCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", 8, "header is not valid JSON");
        assertCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "bad dimension -2");
        assertCorrupt("[1,2]", 0, "header is not a JSON object");
        InputException e = assertThrows(InputException.class, () -> {
            Path f = dir.resolve("bf16.safetensors");
            Files.write(f, raw("{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new float[] {0}));
            SafeTensors.read(f);
        });
        assertTrue(e.getMessage().contains("has dtype BF16; Downhill reads float32 (F32) checkpoints"), e.getMessage());
    }

    @Test
    void aHeaderLengthBeyondTheFileIsRejectedBeforeAllocating() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2).array());
        assertTrue(assertThrows(InputException.class, () -> SafeTensors.read(f)).getMessage()
                .contains("header length 4611686018427387903 does not fit a file of 16 bytes"));
    }

    private void assertCorrupt(String header, int dataBytes, String expected) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, raw(header, new float[dataBytes / 4]));
        InputException e = assertThrows(InputException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static byte[] raw(String header, float[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (float v : data) b.putFloat(v);
        return b.array();
    }

    private static long headerLength(Path file) {
        try {
            return ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
