"""Tests that take real time: real sockets, real sleeps, wall-clock bounds."""
