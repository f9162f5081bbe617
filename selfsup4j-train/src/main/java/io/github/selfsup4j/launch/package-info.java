/**
 * Training across processes with torchrun's conventions: {@link
 * io.github.selfsup4j.launch.Launcher} starts one worker JVM per rank on this node with {@code
 * RANK}, {@code LOCAL_RANK}, {@code WORLD_SIZE}, {@code LOCAL_WORLD_SIZE}, {@code MASTER_ADDR},
 * {@code MASTER_PORT}, watches them and stops them all when one fails; {@link
 * io.github.selfsup4j.launch.Workers} joins a process started with those variables (by the
 * launcher, Kubernetes, Slurm or a Spark barrier task) to its group. Gloo's native library is
 * loaded only when the world has more than one process (and by a launcher with {@code --rdzv
 * redis://}, to refuse it up front when the shim was built without Redis).
 */
package io.github.selfsup4j.launch;
