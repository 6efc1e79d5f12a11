package dev.downhill.cli;

import dev.downhill.InputException;
import dev.downhill.network.Network;
import dev.downhill.network.ParameterLayout;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Names one parameter: a tensor's name, with an index unless it has one element ({@code 2.bias}, {@code 0.weight[1,0]}). */
final class ParameterName {
    private static final Pattern NAME = Pattern.compile("([0-9]+\\.(?:weight|bias))(?:\\[(\\d{1,18})(?:,\\s*(\\d{1,18}))?])?");

    private ParameterName() {}

    /** The parameter's index in the flat layout. */
    static int index(Network net, String name) {
        Matcher m = NAME.matcher(name.trim());
        if (!m.matches()) throw new InputException("--param '" + name + "' is not of the form 2.bias or 0.weight[1,0]");
        ParameterLayout.Tensor t = net.layout().tensors().stream().filter(x -> x.name().equals(m.group(1))).findFirst()
                .orElseThrow(() -> new InputException("network " + net.widths() + " has no tensor " + m.group(1) + " (it has "
                        + String.join(", ", net.layout().tensors().stream().map(ParameterLayout.Tensor::name).toList()) + ")"));
        int[] shape = t.shape();
        int flat;
        if (m.group(2) == null) {
            if (t.length() != 1) throw new InputException(t.name() + " has shape " + t.shapeText() + ": name one element, e.g. "
                    + t.name() + (shape.length == 2 ? "[0,0]" : "[0]"));
            flat = 0;
        } else {
            long i = Long.parseLong(m.group(2)), j = m.group(3) == null ? -1 : Long.parseLong(m.group(3));
            boolean fits = shape.length == 2 ? j >= 0 && i < shape[0] && j < shape[1] : j < 0 && i < shape[0];
            if (!fits) throw new InputException(name + " is outside " + t.name() + " of shape " + t.shapeText());
            flat = (int) (shape.length == 2 ? i * shape[1] + j : i);
        }
        return t.offset() + flat;
    }

    static String describe(Network net, int index) {
        for (ParameterLayout.Tensor t : net.layout().tensors()) {
            if (index >= t.offset() && index < t.offset() + t.length()) {
                int k = index - t.offset();
                return t.length() == 1 ? t.name() : t.shape().length == 2
                        ? t.name() + "[" + k / t.shape()[1] + "," + k % t.shape()[1] + "]" : t.name() + "[" + k + "]";
            }
        }
        throw new IllegalArgumentException("no parameter " + index);
    }
}
