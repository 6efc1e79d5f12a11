package dev.downhill.checkpoint;

import dev.downhill.InputException;
import dev.downhill.io.Json;
import dev.downhill.network.Initializer;
import dev.downhill.network.Loss;
import dev.downhill.network.Network;
import dev.downhill.network.ParameterLayout;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trained network saved as safetensors: tensors named as PyTorch's {@code nn.Sequential}
 * state dict (so {@code model.load_state_dict(load_file(path))} works in Python), the
 * architecture and settings as {@code downhill.*} strings in the metadata.
 *
 * @param network    the architecture
 * @param parameters in {@link Network#layout()} order
 * @param metadata   everything in the file's metadata, including the {@code downhill.*} keys
 */
public record Checkpoint(Network network, float[] parameters, Map<String, String> metadata) {
    static final String INPUT = "downhill.input";
    static final String LAYERS = "downhill.layers";
    static final String LOSS = "downhill.loss";
    static final String INITIALIZER = "downhill.initializer";
    static final String SEED = "downhill.seed";

    public Checkpoint {
        metadata = Map.copyOf(metadata);
    }

    /**
     * Saves atomically: a crash leaves either the old file or the new one, never half of one.
     *
     * @param extra further metadata (optimiser, data columns, standardisation…)
     */
    public static void save(Path file, Network network, float[] parameters, Map<String, String> extra) {
        Map<String, SafeTensors.Tensor> tensors = tensors(network, parameters);
        Map<String, String> meta = networkMetadata(network);
        meta.putAll(extra);
        SafeTensors.write(file, tensors, meta);
    }

    /** The parameters as safetensors tensors named as PyTorch's state dict. */
    static Map<String, SafeTensors.Tensor> tensors(Network network, float[] parameters) {
        ParameterLayout layout = network.layout();
        if (parameters.length != layout.size()) {
            throw new IllegalArgumentException("network " + network.widths() + " has " + layout.size()
                    + " parameters, got " + parameters.length);
        }
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (ParameterLayout.Tensor t : layout.tensors()) {
            tensors.put(t.name(), new SafeTensors.Tensor(t.shape(), ParameterLayout.slice(parameters, t)));
        }
        return tensors;
    }

    /** The architecture as {@code downhill.*} metadata strings. */
    static Map<String, String> networkMetadata(Network network) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put(INPUT, Integer.toString(network.inputWidth()));
        meta.put(LAYERS, network.layersSpec());
        meta.put(LOSS, network.loss().id());
        meta.put(INITIALIZER, network.initializer().id());
        meta.put(SEED, Long.toString(network.seed()));
        return meta;
    }

    /** Loads a checkpoint written by Downhill; its metadata must describe the network. */
    public static Checkpoint load(Path file) {
        SafeTensors.Contents contents = SafeTensors.read(file);
        Network network = network(file, contents.metadata());
        return new Checkpoint(network, parameters(file, contents, network), contents.metadata());
    }

    /** The network the metadata describes. */
    static Network network(Path file, Map<String, String> meta) {
        if (!meta.containsKey(LAYERS) || !meta.containsKey(INPUT) || !meta.containsKey(LOSS)) {
            throw new InputException(file + ": no Downhill architecture in the metadata",
                    java.util.Set.of(InputException.Remedy.INIT_WITH_NETWORK_GIVEN));
        }
        Network network;
        try {
            network = Network.builder(Integer.parseInt(meta.get(INPUT)))
                    .layers(Network.parseLayers(meta.get(LAYERS)))
                    .loss(Loss.parse(meta.get(LOSS)))
                    .initializer(Initializer.parse(meta.getOrDefault(INITIALIZER, "pytorch")))
                    .seed(Long.parseLong(meta.getOrDefault(SEED, "0")))
                    .build();
        } catch (NumberFormatException | InputException e) {
            throw new InputException(file + ": the architecture in the metadata is invalid (" + e.getMessage() + ")");
        }
        return network;
    }

    /**
     * The parameters for {@code network} from any safetensors file whose tensor names and shapes
     * match its layout, e.g. a PyTorch {@code nn.Sequential} saved with {@code save_file}.
     */
    public static float[] loadParameters(Path file, Network network) {
        return parameters(file, SafeTensors.read(file), network);
    }

    /** Column names as metadata holds them: a JSON array of strings, so that a name may hold a comma. */
    public static String formatNames(java.util.List<String> names) {
        return Json.write(names);
    }

    /** The names in {@code metadata[key]}: a JSON array, or (as older checkpoints wrote) comma-separated; null if absent. */
    public java.util.List<String> names(Path file, String key) {
        String text = metadata.get(key);
        if (text == null) return null;
        if (!text.startsWith("[")) return java.util.List.of(text.split(",", -1));
        try {
            if (Json.parse(text) instanceof java.util.List<?> list && list.stream().allMatch(String.class::isInstance)) {
                return list.stream().map(String.class::cast).toList();
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new InputException(file + ": metadata " + key + " is not a list of names");
    }

    /** A NaN or an infinity saved in a tensor would only turn every prediction into one: refuse it, naming where it is. */
    static void requireFinite(Path file, String tensor, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new InputException(file + ": tensor '" + tensor + "' holds " + values[i] + " at flat index " + i
                        + " (a checkpoint of a run that diverged?)");
            }
        }
    }

    static float[] parameters(Path file, SafeTensors.Contents contents, Network network) {
        ParameterLayout layout = network.layout();
        // every tensor is checked before the buffer is made: crafted metadata may describe a network of any size
        for (ParameterLayout.Tensor t : layout.tensors()) {
            SafeTensors.Tensor found = contents.tensors().get(t.name());
            if (found == null) {
                throw new InputException(file + ": no tensor '" + t.name() + "' for network " + network.widths()
                        + " (the file has " + String.join(", ", contents.tensors().keySet()) + ")");
            }
            if (!Arrays.equals(found.shape(), t.shape())) {
                throw new InputException(file + ": tensor '" + t.name() + "' has shape " + Arrays.toString(found.shape())
                        + ", network " + network.widths() + " needs " + t.shapeText());
            }
            requireFinite(file, t.name(), found.data());
        }
        float[] params = new float[layout.size()];
        for (ParameterLayout.Tensor t : layout.tensors()) {
            System.arraycopy(contents.tensors().get(t.name()).data(), 0, params, t.offset(), t.length());
        }
        long extra = contents.tensors().keySet().stream()
                .filter(n -> !n.startsWith(TrainingCheckpoint.OPTIMIZER_PREFIX) && !n.startsWith(TrainingCheckpoint.PROGRESS_PREFIX)).count();
        if (extra != layout.tensors().size()) {
            throw new InputException(file + ": holds " + extra + " parameter tensors, network "
                    + network.widths() + " has " + layout.tensors().size());
        }
        return params;
    }
}
