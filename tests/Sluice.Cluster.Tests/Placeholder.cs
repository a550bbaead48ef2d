namespace Sluice.Cluster.Tests;
