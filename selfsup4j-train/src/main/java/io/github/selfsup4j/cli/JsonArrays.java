package io.github.selfsup4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;

/** Converts between JSON nested arrays and NDArrays. */
final class JsonArrays {

    private JsonArrays() {}

    /**
     * Reads a (possibly nested) JSON array of numbers.
     *
     * @param name the input's name, for messages
     * @param node the JSON value
     * @param integer whether the values must be integers (labels, targets)
     * @param manager where to create the array
     * @param floatType the dtype of floating arrays
     */
    static NDArray read(String name, JsonNode node, boolean integer, NDManager manager,
            DataType floatType) {
        List<Long> shape = new ArrayList<>();
        JsonNode n = node;
        while (n.isArray()) {
            shape.add((long) n.size());
            if (n.size() == 0) {
                break;
            }
            n = n.get(0);
        }
        long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
        long size = 1;
        for (long d : dims) {
            size = Math.multiplyExact(size, d);
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input " + name + " is too large: shape "
                    + new Shape(dims));
        }
        double[] values = new double[(int) size];
        int[] pos = {0};
        fill(name, node, dims, 0, values, pos, integer);
        if (integer) {
            long[] l = new long[values.length];
            for (int i = 0; i < l.length; i++) {
                l[i] = (long) values[i];
            }
            return manager.create(l, new Shape(dims));
        }
        return manager.create(values, new Shape(dims)).toType(floatType, false);
    }

    private static void fill(String name, JsonNode node, long[] dims, int axis, double[] out,
            int[] pos, boolean integer) {
        if (axis == dims.length) {
            if (!node.isNumber()) {
                throw new IllegalArgumentException("input " + name + " is ragged or mixed:"
                        + " expected a number at depth " + axis + ", found " + abbreviate(node));
            }
            if (integer && !(node.isIntegralNumber()
                    || node.asDouble() == Math.rint(node.asDouble()))) {
                throw new IllegalArgumentException(
                        "input " + name + " must hold integers, found " + node);
            }
            out[pos[0]++] = node.asDouble();
            return;
        }
        if (!node.isArray() || node.size() != dims[axis]) {
            throw new IllegalArgumentException("input " + name + " is ragged or mixed: expected"
                    + " an array of " + dims[axis] + " at depth " + axis + ", found "
                    + abbreviate(node));
        }
        for (JsonNode child : node) {
            fill(name, child, dims, axis + 1, out, pos, integer);
        }
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** Writes an array as nested JSON arrays of its shape (a scalar as a number). */
    static JsonNode write(NDArray array) {
        double[] v = array.toType(DataType.FLOAT64, false).toDoubleArray();
        long[] dims = array.getShape().getShape();
        if (dims.length == 0) {
            return JsonNodeFactory.instance.numberNode(v[0]);
        }
        int[] pos = {0};
        return build(v, dims, 0, pos);
    }

    private static ArrayNode build(double[] v, long[] dims, int axis, int[] pos) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (long i = 0; i < dims[axis]; i++) {
            if (axis == dims.length - 1) {
                a.add(v[pos[0]++]);
            } else {
                a.add(build(v, dims, axis + 1, pos));
            }
        }
        return a;
    }
}
