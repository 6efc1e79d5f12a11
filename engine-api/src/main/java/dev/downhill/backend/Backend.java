package dev.downhill.backend;

import dev.downhill.data.DataSet;
import dev.downhill.network.Network;
import dev.downhill.optim.Optimizer;

/**
 * An open backend: it owns native resources (a device context, libraries) until closed.
 */
public interface Backend extends AutoCloseable {

    /** The provider's name, e.g. {@code cpu}. */
    String name();

    /** The device in words, e.g. the CPU model and core count. */
    String device();

    /**
     * Prepares a network for training on {@code train}: the backend takes a copy of the data
     * (a GPU backend uploads it once) and of the parameters.
     *
     * @param parameters initial parameters in {@link Network#layout()} order
     * @param train      the training data, or null for a model that only predicts and evaluates
     */
    default TrainableModel load(Network network, float[] parameters, Optimizer optimizer, DataSet train) {
        return load(network, parameters, optimizer, train, Regularization.NONE);
    }

    /** As {@link #load(Network, float[], Optimizer, DataSet)}, with every training step regularised as {@code regularization} says. */
    TrainableModel load(Network network, float[] parameters, Optimizer optimizer, DataSet train,
                        Regularization regularization);

    /**
     * What this backend can do beyond training, as an interface it implements ({@link StepTracing},
     * {@link MatrixProductPeak}); empty where it cannot.
     */
    default <T> java.util.Optional<T> capability(Class<T> kind) {
        return kind.isInstance(this) ? java.util.Optional.of(kind.cast(this)) : java.util.Optional.empty();
    }

    @Override
    void close();
}
