/**
 * Pure maths of PFGM++ / EDM sampling: the noise schedule, the priors, per-sample seeding and the
 * step-wise probability-flow ODE solvers (DESIGN §1).
 *
 * <p>Depends only on the JDK and Apache Commons RNG/Statistics; never on Vert.x, gRPC, protobuf or
 * ONNX Runtime. All state is float64.
 */
package dev.pfgm.server.sampler;
