/** Thin client for pfgm-serve: a small library over the generated Vert.x gRPC stubs and a CLI. */
package dev.pfgm.client;
